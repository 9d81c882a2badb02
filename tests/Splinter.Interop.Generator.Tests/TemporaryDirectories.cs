using System.Collections.Generic;
using System.IO;
using NUnit.Framework;

namespace Splinter.Interop.Generator.Tests;

/// <summary>A fixture whose tests write into temporary directories, removed after each test, also after a failure.</summary>
public abstract class TemporaryDirectories
{
    private readonly List<string> _directories = [];

    /// <summary>A new temporary directory for this test (<see cref="GeneratorRunner.NewTemporaryDirectory"/>).</summary>
    protected string Temporary(string purpose)
    {
        string directory = GeneratorRunner.NewTemporaryDirectory(purpose);
        _directories.Add(directory);
        return directory;
    }

    /// <summary>Removes this test's directories.</summary>
    [TearDown]
    public void RemoveDirectories()
    {
        foreach (string directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }

        _directories.Clear();
    }
}
