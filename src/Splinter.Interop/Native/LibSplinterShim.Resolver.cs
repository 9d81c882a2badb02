namespace Splinter.Interop.Native;

/// <content>Registers the library resolver before the first call into the shim.</content>
internal static unsafe partial class LibSplinterShim
{
    static LibSplinterShim() => SplinterLibrary.EnsureResolver();
}
