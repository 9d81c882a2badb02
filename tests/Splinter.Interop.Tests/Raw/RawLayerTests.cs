using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using NUnit.Framework;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Raw;

/// <summary>Which raw layer a case runs on.</summary>
public enum RawLayerKind
{
    /// <summary>LibSplinter's [LibraryImport] statics (the shared-memory library).</summary>
    Static,
    /// <summary>The SplinterApi table of the shared-memory library.</summary>
    SharedMemory,
    /// <summary>The SplinterApi table of the persistent library.</summary>
    Persistent,
}

/// <summary>
/// Every function of both raw layers called at least once: each [LibraryImport] of LibSplinter, and per variant each
/// SplinterApi function pointer and *_errno method, with the case RawCases holds for it. The case list comes from
/// reflection over the layers, so a function without a case is a failing test, not a gap.
/// </summary>
[TestFixture]
[Category("Raw")]
[NonParallelizable] // Not in parallel: the raw layer's process-global library holds one store at a time.
public sealed unsafe class RawLayerTests
{
    private static IEnumerable<MethodInfo> LibraryImports() => typeof(LibSplinter).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(m => m.GetCustomAttribute<LibraryImportAttribute>() is not null);

    private static IEnumerable<FieldInfo> TableFunctions() => typeof(SplinterApi).GetFields(BindingFlags.Public | BindingFlags.Instance)
        .Where(f => f.FieldType.IsFunctionPointer);

    private static IEnumerable<string> ErrnoMethods() => typeof(SplinterApi).GetMethods(BindingFlags.Public | BindingFlags.Instance)
        .Where(m => m.Name.EndsWith("_errno", StringComparison.Ordinal)).Select(m => m.Name);

    public static IEnumerable<TestCaseData> Cases()
    {
        IEnumerable<(RawLayerKind Layer, string Function)> cases =
            LibraryImports().Select(m => (RawLayerKind.Static, m.Name))
            .Concat(from layer in new[] { RawLayerKind.SharedMemory, RawLayerKind.Persistent }
                    from name in TableFunctions().Select(f => f.Name).Concat(ErrnoMethods())
                    select (layer, name));
        return cases.OrderBy(c => c.Layer).ThenBy(c => c.Function, StringComparer.Ordinal)
            .Select(c => new TestCaseData(c.Layer, c.Function).SetName($"{c.Layer}.{c.Function}"));
    }

    [TestCaseSource(nameof(Cases))]
    public void CallsTheFunction(RawLayerKind layer, string function)
    {
        Assert.That(RawCases.Cases.TryGetValue(function, out RawCase? test), Is.True, $"no raw test calls {function}");
        using var store = new RawStore(layer == RawLayerKind.Persistent ? SplinterVariant.Persistent : SplinterVariant.SharedMemory);
        test!(store, layer == RawLayerKind.Static ? RawLayer.Static : RawLayer.Table(store.Api));
    }

    [Test]
    public void TheLayerHasEveryFunctionOfBothRawLayersWithItsSignature()
    {
        Dictionary<string, MethodInfo> mirror = typeof(RawLayer).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .ToDictionary(m => m.Name, StringComparer.Ordinal);
        Assert.That(mirror.Keys, Is.EquivalentTo(LibraryImports().Select(m => m.Name)), "RawLayer and LibSplinter's imports");
        Assert.That(mirror.Keys, Is.EquivalentTo(TableFunctions().Select(f => f.Name)), "RawLayer and SplinterApi's function pointers");

        var differences = new List<string>();
        foreach (MethodInfo import in LibraryImports())
        {
            string expected = Signature(import.ReturnType, import.GetParameters().Select(p => p.ParameterType));
            string actual = Signature(mirror[import.Name].ReturnType, mirror[import.Name].GetParameters().Select(p => p.ParameterType));
            if (expected != actual)
            {
                differences.Add($"{import.Name}: LibSplinter {expected}, RawLayer {actual}");
            }
        }
        foreach (FieldInfo field in TableFunctions())
        {
            string expected = Signature(field.FieldType.GetFunctionPointerReturnType(), field.FieldType.GetFunctionPointerParameterTypes());
            string actual = Signature(mirror[field.Name].ReturnType, mirror[field.Name].GetParameters().Select(p => p.ParameterType));
            if (expected != actual)
            {
                differences.Add($"{field.Name}: SplinterApi {expected}, RawLayer {actual}");
            }
        }
        Assert.That(differences, Is.Empty);
    }

    private static string Signature(Type returnType, IEnumerable<Type> parameters) =>
        $"{returnType}({string.Join(", ", parameters.Select(p => p.ToString()))})";
}
