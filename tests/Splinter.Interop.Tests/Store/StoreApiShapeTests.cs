using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

/// <summary>
/// The idiomatic surface (everything outside Splinter.Interop.Native) exposes no pointers or native-sized integers, native
/// resources live in SafeHandles, and SplinterStore itself shows only the everyday members: the specialist features sit
/// behind its group properties (store.Shards, store.Signals...).
/// </summary>
[TestFixture]
[Category("Store")]
public sealed class StoreApiShapeTests
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Assembly Library = typeof(SplinterStore).Assembly;

    private static IEnumerable<Type> IdiomaticTypes() =>
        Library.GetExportedTypes().Where(t => t.Namespace is not null && !t.Namespace.StartsWith("Splinter.Interop.Native", StringComparison.Ordinal));

    /// <summary>What SplinterStore itself offers: opening and deleting stores, values, keys, labels, waits, events, Dispose.</summary>
    private static readonly string[] EverydayMembers =
    [
        // static
        nameof(SplinterStore.Create), nameof(SplinterStore.Open), nameof(SplinterStore.OpenOrCreate), nameof(SplinterStore.Delete), nameof(SplinterStore.Exists),

        // the store itself
        nameof(SplinterStore.Name), nameof(SplinterStore.Variant), nameof(SplinterStore.BackingPath), nameof(SplinterStore.LibraryPath),
        nameof(SplinterStore.SlotCount), nameof(SplinterStore.MaxValueSize), nameof(SplinterStore.IsDisposed), nameof(SplinterStore.Dispose), nameof(ToString),

        // values and keys
        nameof(SplinterStore.Set), nameof(SplinterStore.TryGet), nameof(SplinterStore.TryGetLength), nameof(SplinterStore.TryPeek), nameof(SplinterStore.Get),
        nameof(SplinterStore.GetString), nameof(SplinterStore.TryRead), nameof(SplinterStore.GetEpoch), nameof(SplinterStore.Contains), nameof(SplinterStore.Remove),
        nameof(SplinterStore.Append), nameof(SplinterStore.GetKeys),

        // labels
        nameof(SplinterStore.AddLabels), nameof(SplinterStore.RemoveLabels), nameof(SplinterStore.FindByLabels),

        // changes
        nameof(SplinterStore.WaitForChange), nameof(SplinterStore.WaitForChangeAsync), nameof(SplinterStore.Events),
    ];

    [Test]
    public void SplinterStore_ShowsOnlyTheEverydayMembers_AndItsFeatureGroups()
    {
        PropertyInfo[] groups = StoreReflection.GroupProperties().ToArray();
        var extra = new List<string>();
        foreach (MemberInfo member in typeof(SplinterStore).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
        {
            if (member is MethodInfo { IsSpecialName: true })
            {
                continue; // property accessors
            }

            if (!EverydayMembers.Contains(member.Name) && !groups.Any(g => g.Name == member.Name))
            {
                extra.Add($"{member.MemberType} {member}");
            }
        }

        Assert.That(extra, Is.Empty, "a new member of SplinterStore belongs to the everyday list or to a feature group");
        Assert.That(groups.Select(g => g.Name), Is.SupersetOf(new[] { "Shards", "Signals", "Slots", "Header", "Integers", "Tandem" }));
        foreach (PropertyInfo group in groups)
        {
            Assert.That(group.CanWrite, Is.False, group.Name);
            Assert.That(group.PropertyType.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(m => !m.IsSpecialName), Is.Not.Empty, group.Name);
        }
    }

    [Test]
    public void EveryGroup_IsTheSameObjectOnEachRead_AndBelongsToItsStore()
    {
        using var names = new StoreTestNames(SplinterVariant.SharedMemory);
        SplinterStore first = names.Create(slots: 4, maxValueSize: 8, purpose: "shape");
        SplinterStore second = names.Create(slots: 4, maxValueSize: 8, purpose: "shape");
        foreach (PropertyInfo group in StoreReflection.GroupProperties())
        {
            object? once = group.GetValue(first);
            Assert.That(group.GetValue(first), Is.SameAs(once), group.Name);
            Assert.That(group.GetValue(first), Is.Not.SameAs(group.GetValue(second)), group.Name);
        }
    }

    [Test]
    public void TheShimAndTheRawLayersGlobalTable_AreNotPublic()
    {
        // The shim is the idiomatic layer's machinery: closing a live store's gate or removing its object from outside
        // breaks it. The C-named raw layer (LibSplinter, SplinterApi, the structs) stays public.
        string[] shim = Library.GetExportedTypes().Where(t => t.Name.Contains("SplinterShim", StringComparison.Ordinal)).Select(t => t.FullName!).ToArray();
        Assert.That(shim, Is.Empty);
        Assert.That(typeof(Splinter.Interop.Native.LibSplinter).IsPublic, Is.True, "the raw layer stays public");
        Assert.That(typeof(Splinter.Interop.Native.SplinterApi).IsPublic, Is.True, "the raw function table stays public");

        // No public way hands out the global library's table as if it were the library's own: a table is made from a handle.
        MethodInfo[] tables = typeof(Splinter.Interop.Native.SplinterLibrary).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.ReturnType == typeof(Splinter.Interop.Native.SplinterApi) || m.Name.Contains("Shim", StringComparison.Ordinal) && m.Name.StartsWith("Get", StringComparison.Ordinal))
            .ToArray();
        Assert.That(tables, Is.Empty);
    }

    [Test]
    public void TheVerbWatch_BelongsToTheChangeFeedOnly()
    {
        // Signal groups register keys (store.Signals.Register); "watch" is what a subscription does with changes.
        string[] watchers = Library.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.Name.StartsWith("Watch", StringComparison.Ordinal) && m.DeclaringType != typeof(SplinterStore))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .Distinct()
            .ToArray();
        Assert.That(watchers, Is.EqualTo(new[] { $"{nameof(EventSubscription)}.{nameof(EventSubscription.WatchAsync)}" }));
    }

    [Test]
    public void EverySplinterKeyOverload_KeepsTheKeysBytesAlive()
    {
        // A SplinterKey hands its pinned bytes to native code as an address; a temporary key is dead once the address is
        // read, so each overload must end with GC.KeepAlive(key.Owner). Checked in the IL: a new overload that forgets it fails.
        MethodInfo keepAlive = typeof(GC).GetMethod(nameof(GC.KeepAlive))!;
        var missing = new List<string>();
        foreach (MethodInfo method in StoreReflection.AllOperations().Select(o => o.Method))
        {
            if (!method.GetParameters().Any(p => p.ParameterType == typeof(SplinterKey)))
            {
                continue;
            }

            if (!CallsMethod(method, keepAlive) && !ForwardsToAnotherSplinterKeyOverload(method))
            {
                missing.Add(method.ToString()!);
            }
        }

        Assert.That(missing, Is.Empty);
    }

    // Call (0x28) and callvirt (0x6F) take a 4-byte method token; scanning for them byte-wise can only produce false
    // matches that resolve to some other method, never hide a real call, so a miss here is a real miss.
    private static bool CallsMethod(MethodInfo method, MethodInfo target) => CalledMethods(method).Any(called => called == target);

    private static bool ForwardsToAnotherSplinterKeyOverload(MethodInfo method) =>
        CalledMethods(method).Any(called => called != method && called.DeclaringType == method.DeclaringType && called.IsPublic
            && called.GetParameters().Any(p => p.ParameterType == typeof(SplinterKey)));

    private static IEnumerable<MethodBase> CalledMethods(MethodInfo method)
    {
        byte[] il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        for (int i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] is not (0x28 or 0x6F))
            {
                continue;
            }

            MethodBase? called = null;
            try
            {
                called = method.Module.ResolveMethod(BitConverter.ToInt32(il, i + 1), method.DeclaringType!.GetGenericArguments(), method.IsGenericMethod ? method.GetGenericArguments() : null);
            }
            catch (ArgumentException)
            {
                // Not a method token at this position.
            }

            if (called is not null)
            {
                yield return called;
            }
        }
    }

    [Test]
    public void NoPublicMemberSignature_UsesPointersOrNativeIntegers()
    {
        var offenders = new List<string>();
        foreach (Type type in IdiomaticTypes())
        {
            foreach (MemberInfo member in type.GetMembers(Declared).Where(IsVisible))
            {
                if (member is ConstructorInfo && type.IsSubclassOf(typeof(MulticastDelegate)))
                {
                    continue; // every delegate's compiler-made (object, IntPtr) constructor
                }

                foreach (Type used in SignatureTypes(member))
                {
                    if (IsNativeShaped(used))
                    {
                        offenders.Add($"{type.FullName}.{member.Name}: {used}");
                    }
                }
            }
        }

        Assert.That(offenders, Is.Empty);
        Assert.That(IdiomaticTypes().Count(), Is.GreaterThan(15), "the scan saw the idiomatic types");
    }

    [Test]
    public void TheDetectorCatchesEveryForbiddenShape()
    {
        Assert.Multiple(() =>
        {
            Assert.That(IsNativeShaped(typeof(IntPtr)), Is.True);
            Assert.That(IsNativeShaped(typeof(UIntPtr)), Is.True);
            Assert.That(IsNativeShaped(typeof(byte*)), Is.True);
            Assert.That(IsNativeShaped(typeof(IntPtr).MakeByRefType()), Is.True);
            Assert.That(IsNativeShaped(typeof(IntPtr[])), Is.True);
            Assert.That(IsNativeShaped(typeof(Span<IntPtr>)), Is.True);
            Assert.That(IsNativeShaped(typeof(delegate*<void>)), Is.True);
            Assert.That(IsNativeShaped(typeof(ReadOnlySpan<byte>)), Is.False);
            Assert.That(IsNativeShaped(typeof(ulong)), Is.False);
        });
    }

    [Test]
    public void NativeResources_AreHeldBySafeHandles()
    {
        // The store: its mapping and the library's process-global store are released by one SafeHandle.
        FieldInfo[] storeHandles = typeof(SplinterStore).GetFields(BindingFlags.NonPublic | BindingFlags.Instance)
            .Where(f => typeof(SafeHandle).IsAssignableFrom(f.FieldType))
            .ToArray();
        Assert.That(storeHandles, Has.Length.EqualTo(1));

        // Nothing outside SafeHandle releases native resources from a finalizer of its own.
        Type[] finalizers = Library.GetTypes()
            .Where(t => !typeof(SafeHandle).IsAssignableFrom(t))
            .Where(t => t.GetMethod("Finalize", BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly) is not null)
            .ToArray();
        Assert.That(finalizers, Is.Empty);

        // Every public disposable holds a SafeHandle, directly or through a disposable it owns.
        var missing = IdiomaticTypes()
            .Where(t => t.IsClass && typeof(IDisposable).IsAssignableFrom(t) && !typeof(SafeHandle).IsAssignableFrom(t))
            .Where(t => !HoldsSafeHandle(t, depth: 2))
            .Select(t => t.FullName)
            .ToArray();
        Assert.That(missing, Is.Empty);
    }

    private static bool HoldsSafeHandle(Type type, int depth) =>
        type.GetFields(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance).Any(f =>
            typeof(SafeHandle).IsAssignableFrom(f.FieldType)
            || (depth > 0 && f.FieldType != type && f.FieldType.Assembly == Library && f.FieldType.IsClass && HoldsSafeHandle(f.FieldType, depth - 1)));

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase method => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
        FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
        PropertyInfo property => property.GetAccessors(nonPublic: true).Any(IsVisible),
        EventInfo @event => @event.AddMethod is { } add && IsVisible(add),
        Type nested => nested.IsNestedPublic || nested.IsNestedFamily,
        _ => false,
    };

    private static IEnumerable<Type> SignatureTypes(MemberInfo member)
    {
        switch (member)
        {
            case MethodInfo method:
                yield return method.ReturnType;
                foreach (ParameterInfo parameter in method.GetParameters())
                {
                    yield return parameter.ParameterType;
                }

                break;
            case ConstructorInfo constructor:
                foreach (ParameterInfo parameter in constructor.GetParameters())
                {
                    yield return parameter.ParameterType;
                }

                break;
            case PropertyInfo property:
                yield return property.PropertyType;
                foreach (ParameterInfo parameter in property.GetIndexParameters())
                {
                    yield return parameter.ParameterType;
                }

                break;
            case FieldInfo field:
                yield return field.FieldType;
                break;
            case EventInfo @event when @event.EventHandlerType is not null:
                yield return @event.EventHandlerType;
                break;
        }
    }

    private static bool IsNativeShaped(Type type)
    {
        if (type.IsByRef || type.IsArray || type.IsPointer)
        {
            return type.IsPointer || IsNativeShaped(type.GetElementType()!);
        }

        if (type.IsFunctionPointer || type == typeof(IntPtr) || type == typeof(UIntPtr))
        {
            return true;
        }

        return type.IsGenericType && type.GetGenericArguments().Any(IsNativeShaped);
    }
}
