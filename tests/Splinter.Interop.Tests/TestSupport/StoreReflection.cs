using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Splinter.Interop;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>
/// Reflection over SplinterStore's public instance methods for table-driven tests: which
/// methods can be invoked by reflection (no span parameters) and a set of valid arguments.
/// </summary>
public static class StoreReflection
{
    private static readonly HashSet<string> NotOperations = new(StringComparer.Ordinal)
    {
        nameof(SplinterStore.Dispose), nameof(ToString), nameof(GetHashCode), nameof(Equals), nameof(GetType),
    };

    /// <summary>Public instance methods of SplinterStore that touch the store and take no span (span arguments cannot be boxed).</summary>
    public static IEnumerable<MethodInfo> InvocableOperations() =>
        typeof(SplinterStore)
            .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && !NotOperations.Contains(m.Name))
            .Where(m => m.GetParameters().All(p => !IsSpan(p.ParameterType)))
            .Select(m => m.IsGenericMethodDefinition ? m.MakeGenericMethod(typeof(int), typeof(int)) : m)
            .OrderBy(m => m.ToString(), StringComparer.Ordinal);

    /// <summary>Names of every public instance operation, including span overloads (for coverage reports).</summary>
    public static IEnumerable<string> AllOperationNames() =>
        typeof(SplinterStore)
            .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && !NotOperations.Contains(m.Name))
            .Select(m => m.Name)
            .Distinct();

    /// <summary>True for a parameter that names a key (string or SplinterKey).</summary>
    public static bool IsKeyParameter(ParameterInfo parameter) =>
        parameter.Name is "key" or "baseKey" && (parameter.ParameterType == typeof(string) || parameter.ParameterType == typeof(SplinterKey));

    /// <summary>Valid arguments for <paramref name="method"/>, with key parameters set to <paramref name="key"/>.</summary>
    public static object?[] ValidArguments(MethodInfo method, object? key)
    {
        return method.GetParameters().Select(p => IsKeyParameter(p) ? Convert(key, p.ParameterType) : ValidValue(p)).ToArray();
    }

    private static object? Convert(object? key, Type target) =>
        key is string text && target == typeof(SplinterKey) ? new SplinterKey(text) : key;

    private static object? ValidValue(ParameterInfo parameter)
    {
        Type type = parameter.ParameterType;
        if (type.IsByRef)
        {
            return null; // out parameter
        }

        // Every arm is boxed on its own; numbers are then converted to the parameter's exact type.
        object? value = parameter.Name switch
        {
            "value" when type == typeof(string) => "v",
            "group" => (object)1,
            "slotIndex" or "firstSlot" or "order" => (object)0,
            "slotCount" or "orders" or "length" when type == typeof(int) => (object)1,
            "length" when type == typeof(long) => (object)1L,
            "offset" => (object)0L,
            "shardId" or "processId" => (object)1u,
            "timeout" => TimeSpan.Zero,
            "reader" => new SplinterValueReader<int, int>(static (value, state) => value.Length + state),
            _ when type == typeof(System.Threading.CancellationToken) => System.Threading.CancellationToken.None,
            _ when type.IsEnum => Enum.GetValues(type).GetValue(0),
            _ when type == typeof(ulong) => (object)1ul,
            _ when type == typeof(uint) => (object)1u,
            _ when type == typeof(int) => (object)1,
            _ when type == typeof(long) => (object)1L,
            _ when type == typeof(byte) => (object)(byte)1,
            _ => throw new NotSupportedException($"no valid value for {parameter.Member}.{parameter.Name} ({type})"),
        };
        return type.IsPrimitive ? System.Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture) : value;
    }

    private static bool IsSpan(Type type)
    {
        Type element = type.IsByRef ? type.GetElementType()! : type;
        return element.IsGenericType && (element.GetGenericTypeDefinition() == typeof(ReadOnlySpan<>) || element.GetGenericTypeDefinition() == typeof(Span<>));
    }
}
