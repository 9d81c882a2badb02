namespace Splinter.Interop.Native;

/// <content>Registers the library resolver before the first call into libsplinter.</content>
public static unsafe partial class LibSplinter
{
    static LibSplinter() => SplinterLibrary.EnsureResolver();
}
