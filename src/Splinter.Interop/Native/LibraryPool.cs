using System;
using System.Collections.Generic;
using System.IO;

namespace Splinter.Interop.Native;

/// <summary>
/// The private copies of one library file (<see cref="LibraryInstance"/>). A store takes a copy when it opens and gives
/// it back once libsplinter closed it (splinter_close), so the number of copies is the largest number of stores of
/// that library this process had open at once. All copies come from the bytes read when the pool was made, the bytes
/// the library check looked at. Callers hold <see cref="SplinterLibrary"/>'s lock.
/// </summary>
internal sealed class LibraryPool
{
    private readonly byte[] _image;
    private readonly Stack<LibraryInstance> _free = new();
    private readonly List<LibraryInstance> _all = new();

    public LibraryPool(LibraryFile file)
    {
        File = file;
        _image = System.IO.File.ReadAllBytes(file.Path);
        ElfImage.RemoveSoname(_image);
    }

    /// <summary>The library file.</summary>
    public LibraryFile File { get; }

    /// <summary>The bytes every copy is loaded from (the file's, without DT_SONAME).</summary>
    internal ReadOnlySpan<byte> Image => _image;

    /// <summary>Copies loaded so far (in use or free).</summary>
    public int InstanceCount => _all.Count;

    /// <summary>Copies not holding a store.</summary>
    public int FreeCount => _free.Count;

    /// <summary>A copy with no open store: a free one, or a new one.</summary>
    /// <exception cref="InvalidOperationException">The library keeps its functions in a dependency (one shared state) and its only copy is in use.</exception>
    public LibraryInstance Rent()
    {
        if (_free.TryPop(out LibraryInstance? free))
        {
            return free;
        }

        if (_all.Count > 0 && !_all[0].IsIsolated)
        {
            throw new InvalidOperationException(
                $"The library '{File.Path}' takes functions from another object ({string.Join(", ", _all[0].ForeignFunctions)}), "
                + "whose state every copy would share, so it holds one open store per process and one is open. Dispose it first, "
                + "or use a library that defines the functions itself.");
        }

        LibraryInstance instance = LibraryInstance.Load(this, _all.Count + 1, _image);
        _all.Add(instance);
        return instance;
    }

    /// <summary>Takes back a copy whose store was closed.</summary>
    public void Return(LibraryInstance instance)
    {
        if (!ReferenceEquals(instance.Pool, this))
        {
            throw new ArgumentException("The instance belongs to another library.", nameof(instance));
        }

        _free.Push(instance);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Path.GetFileName(File.Path)}: {_all.Count} copies, {_free.Count} free";
}
