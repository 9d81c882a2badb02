using System;
using System.Threading;

namespace Splinter.Interop.Store;

/// <summary>Test seams in the open path. Async-local: a hook set by one test never runs in another's opens.</summary>
internal static class StoreOpenHooks
{
    private static readonly AsyncLocal<Action<string>?> s_beforeLibraryOpen = new();

    /// <summary>Runs with the object's path after the C# layer checked and mapped it and before the library opens it.</summary>
    public static Action<string>? BeforeLibraryOpen
    {
        get => s_beforeLibraryOpen.Value;
        set => s_beforeLibraryOpen.Value = value;
    }
}
