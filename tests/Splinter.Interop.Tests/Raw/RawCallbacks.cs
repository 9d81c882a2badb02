using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace Splinter.Interop.Tests.Raw;

/// <summary>Unmanaged callbacks the raw tests pass to libsplinter.</summary>
internal static unsafe class RawCallbacks
{
    /// <summary>splinter_enumerate_matches callback: adds the key to the List&lt;string&gt; behind data.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    public static void CollectKey(sbyte* key, ulong epoch, void* data)
    {
        var keys = (List<string>)GCHandle.FromIntPtr((nint)data).Target!;
        keys.Add(new string(key));
    }
}
