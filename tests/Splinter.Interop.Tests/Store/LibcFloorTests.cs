using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using NUnit.Framework;
using Splinter.Interop;

namespace Splinter.Interop.Tests.Store;

/// <summary>
/// The C# layer's own libc imports stay within the package's C library floor (glibc 2.27, README "Platforms"), as the
/// native files do (native/check-floor.sh): every function imported from libc.so.6 exists in this machine's libc.so.6
/// at a symbol version no newer than 2.27, so a process on an older glibc finds it too.
/// </summary>
[TestFixture]
[Category("Store")]
public sealed class LibcFloorTests
{
    private static readonly Version Floor = new(2, 27);

    [Test]
    public void EveryLibcImport_ExistsAtTheFloorVersion()
    {
        string libc = new[] { "/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/lib64/libc.so.6" }.FirstOrDefault(File.Exists)
            ?? throw new IgnoreException("no glibc libc.so.6 on this machine to compare the imports with");
        Dictionary<string, Version> oldest = OldestVersions(libc);

        var imports = typeof(SplinterStore).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Select(method => method.GetCustomAttribute<DllImportAttribute>() is { } import ? (Method: method, Import: import) : default)
            .Where(entry => entry.Import is not null && entry.Import.Value == "libc.so.6")
            .Select(entry => entry.Import.EntryPoint ?? entry.Method.Name)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.That(imports, Is.Not.Empty, "the assembly imports from libc.so.6");

        var tooNew = imports
            .Where(name => !oldest.TryGetValue(name, out Version? version) || version > Floor)
            .Select(name => $"{name} ({(oldest.TryGetValue(name, out Version? version) ? "GLIBC_" + version : "not in libc.so.6")})")
            .ToList();
        TestContext.Out.WriteLine($"{imports.Count} libc imports: {string.Join(", ", imports)}");
        Assert.That(tooNew, Is.Empty, $"imports newer than GLIBC_{Floor}");
    }

    /// <summary>The oldest GLIBC_x.y version at which libc.so.6 defines each symbol (objdump -T).</summary>
    private static Dictionary<string, Version> OldestVersions(string libc)
    {
        var start = new ProcessStartInfo("objdump", $"-T {libc}") { RedirectStandardOutput = true, UseShellExecute = false };
        using Process objdump = Process.Start(start) ?? throw new IgnoreException("objdump is not installed");
        string output = objdump.StandardOutput.ReadToEnd();
        objdump.WaitForExit();
        var oldest = new Dictionary<string, Version>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n'))
        {
            string[] fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            int at = Array.FindIndex(fields, field => field.Trim('(', ')').StartsWith("GLIBC_", StringComparison.Ordinal));
            if (fields.Length < 2 || at < 0 || fields.Contains("*UND*") || !Version.TryParse(fields[at].Trim('(', ')')["GLIBC_".Length..], out Version? version))
            {
                continue;
            }

            string name = fields[^1];
            if (!oldest.TryGetValue(name, out Version? known) || version < known)
            {
                oldest[name] = version;
            }
        }

        return oldest;
    }
}
