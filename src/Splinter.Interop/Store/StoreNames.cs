using System;
using System.Text;

namespace Splinter.Interop.Store;

/// <summary>Validation of store names and the path of the object behind them.</summary>
internal static class StoreNames
{
    private const int NameMax = 255;

    /// <summary>Throws ArgumentException unless <paramref name="nameOrPath"/> is usable for <paramref name="variant"/>.</summary>
    public static void Validate(string nameOrPath, SplinterVariant variant, string paramName)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath, paramName);
        if (variant is not (SplinterVariant.SharedMemory or SplinterVariant.Persistent))
        {
            throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown SplinterVariant.");
        }

        if (nameOrPath.Length == 0)
        {
            throw new ArgumentException("The store name is empty.", paramName);
        }

        if (nameOrPath.Contains('\0'))
        {
            throw new ArgumentException("The store name contains a NUL character.", paramName);
        }

        if (variant == SplinterVariant.Persistent)
        {
            return;
        }

        // glibc's shm_open strips every leading '/', refuses any other '/', "." and "..".
        string objectName = nameOrPath.TrimStart('/');
        if (objectName.Length == 0 || objectName == "." || objectName == "..")
        {
            throw new ArgumentException($"'{nameOrPath}' is not a shared-memory object name.", paramName);
        }

        if (objectName.Contains('/'))
        {
            throw new ArgumentException(
                $"Shared-memory store names may not contain '/' after the leading one ('{nameOrPath}'); use the persistent variant for paths.",
                paramName);
        }

        if (Encoding.UTF8.GetByteCount(objectName) > NameMax)
        {
            throw new ArgumentException($"The shared-memory name is longer than {NameMax} bytes.", paramName);
        }
    }

    /// <summary>The filesystem path of the store object: /dev/shm/&lt;name&gt; or the path itself.</summary>
    public static string ObjectPath(string nameOrPath, SplinterVariant variant) =>
        variant == SplinterVariant.SharedMemory ? "/dev/shm/" + nameOrPath.TrimStart('/') : nameOrPath;

    /// <summary>UTF-8 bytes of a string with a terminating NUL (cold paths).</summary>
    public static byte[] ToUtf8z(string value)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }
}
