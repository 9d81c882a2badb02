namespace Splinter.Interop;

/// <summary>The object being opened is not a usable libsplinter store: too small, foreign magic, other format version, or a geometry that does not match its size.</summary>
public sealed class SplinterStoreFormatException : SplinterException
{
    /// <summary>Creates the exception for the object at <paramref name="path"/> with the reason it was refused.</summary>
    public SplinterStoreFormatException(string path, string reason)
        : base($"'{path}' is not a usable libsplinter store: {reason}")
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The file or /dev/shm path that was checked.</summary>
    public string Path { get; }

    /// <summary>Why the object was refused.</summary>
    public string Reason { get; }
}
