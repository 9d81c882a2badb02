using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Splinter.Interop;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>
/// Reflection over the public instance methods a store offers, its own and those of its feature groups (store.Shards,
/// store.Signals...), for table-driven tests: which can be invoked by reflection (no span parameters) and a set of valid
/// arguments.
/// </summary>
public static class StoreReflection
{
    private static readonly HashSet<string> NotOperations = new(StringComparer.Ordinal)
    {
        nameof(SplinterStore.Dispose), nameof(ToString), nameof(GetHashCode), nameof(Equals), nameof(GetType),
    };

    /// <summary>
    /// The properties of SplinterStore that hand out a feature group: a sealed class of this assembly that only the
    /// store creates (no public constructor) and that is bound to it.
    /// </summary>
    public static IEnumerable<PropertyInfo> GroupProperties() =>
        typeof(SplinterStore).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => IsGroupType(p.PropertyType))
            .OrderBy(p => p.Name, StringComparer.Ordinal);

    /// <summary>True for a feature group's type (see <see cref="GroupProperties"/>).</summary>
    public static bool IsGroupType(Type type) =>
        type.Assembly == typeof(SplinterStore).Assembly && type.IsClass && type.IsSealed && !typeof(IDisposable).IsAssignableFrom(type)
        && type.GetConstructors(BindingFlags.Public | BindingFlags.Instance).Length == 0
        && type.GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).Any(c => c.GetParameters() is [{ ParameterType: var p }] && p == typeof(SplinterStore));

    /// <summary>Every public instance method of the store and of its groups that touches the store and takes no span (span arguments cannot be boxed).</summary>
    public static IEnumerable<StoreOperation> InvocableOperations() =>
        AllOperations()
            .Where(o => o.Method.GetParameters().All(p => !IsSpan(p.ParameterType)))
            .Select(o => o.Method.IsGenericMethodDefinition ? o with { Method = o.Method.MakeGenericMethod(typeof(int), typeof(int)) } : o)
            .OrderBy(o => o.ToString(), StringComparer.Ordinal);

    /// <summary>Every public instance operation of the store and its groups, span overloads included.</summary>
    public static IEnumerable<StoreOperation> AllOperations() =>
        Operations(null, typeof(SplinterStore)).Concat(GroupProperties().SelectMany(g => Operations(g, g.PropertyType)));

    /// <summary>True for a parameter that names a key (string or SplinterKey).</summary>
    public static bool IsKeyParameter(ParameterInfo parameter) =>
        parameter.Name is "key" or "baseKey" && (parameter.ParameterType == typeof(string) || parameter.ParameterType == typeof(SplinterKey));

    /// <summary>Valid arguments for <paramref name="method"/>, with key parameters set to <paramref name="key"/>.</summary>
    public static object?[] ValidArguments(MethodInfo method, object? key)
    {
        return method.GetParameters().Select(p => IsKeyParameter(p) ? Convert(key, p.ParameterType) : ValidValue(p)).ToArray();
    }

    private static IEnumerable<StoreOperation> Operations(PropertyInfo? group, Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && !NotOperations.Contains(m.Name))
            .Select(m => new StoreOperation(group, m));

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
            _ when type == typeof(SubscriptionOptions) => SubscriptionOptions.Default,
            _ when type == typeof(bool) => (object)false,
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

/// <summary>A public instance method of SplinterStore (<paramref name="Group"/> null) or of one of its feature groups.</summary>
/// <param name="Group">The store's property that hands out the group, or null for the store's own methods.</param>
/// <param name="Method">The method.</param>
public sealed record StoreOperation(PropertyInfo? Group, MethodInfo Method)
{
    /// <summary>The method's parameters.</summary>
    public ParameterInfo[] GetParameters() => Method.GetParameters();

    /// <summary>Calls the method on <paramref name="store"/> (or on its group); exceptions arrive wrapped in TargetInvocationException.</summary>
    public object? Invoke(SplinterStore store, object?[] arguments) => Method.Invoke(Group is null ? store : Group.GetValue(store), arguments);

    /// <inheritdoc/>
    public override string ToString() => Group is null ? Method.ToString()! : $"{Group.Name}.{Method}";
}
