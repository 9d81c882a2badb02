using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Security;

/// <summary>
/// Everything another user could have changed in a store, as its creator sees it: the header snapshot, every key with
/// its value and epoch, every byte of the object, its mode and its owner.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed record PrivateStoreState(SplinterHeaderSnapshot Header, string[] Keys, byte[] Image, UnixFileMode Mode, uint OwnerUid)
{
    /// <summary>Reads the state of an open store (nobody may write to it meanwhile).</summary>
    public static PrivateStoreState Capture(SplinterStore store)
    {
        string[] keys = store.GetKeys()
            .Order(StringComparer.Ordinal)
            .Select(key => $"{key}={store.GetString(key)}@{store.GetEpoch(key).ToString(CultureInfo.InvariantCulture)}")
            .ToArray();
        return new PrivateStoreState(
            store.Header.GetSnapshot(),
            keys,
            File.ReadAllBytes(store.BackingPath),
            File.GetUnixFileMode(store.BackingPath),
            UnprivilegedUsers.OwnerOf(store.BackingPath));
    }
}

/// <summary>
/// One line of the unpriv-open child mode: "attempt NAME succeeded DETAIL" or "attempt NAME refused TYPE ERRNO MESSAGE".
/// </summary>
internal sealed record ChildAttempt(string Name, bool Refused, string Type, int Errno, string Message, string Line)
{
    /// <summary>The attempts in a child's output, by name.</summary>
    public static Dictionary<string, ChildAttempt> Parse(IEnumerable<string> lines)
    {
        Dictionary<string, ChildAttempt> attempts = new(StringComparer.Ordinal);
        foreach (string line in lines.Where(line => line.StartsWith("attempt ", StringComparison.Ordinal)))
        {
            string[] parts = line.Split(' ', 4);
            if (parts.Length == 4 && parts[2] == "refused")
            {
                string[] detail = parts[3].Split(' ', 3);
                attempts[parts[1]] = new ChildAttempt(parts[1], true, detail[0], int.Parse(detail[1], CultureInfo.InvariantCulture), detail.Length > 2 ? detail[2] : string.Empty, line);
            }
            else if (parts.Length >= 3)
            {
                attempts[parts[1]] = new ChildAttempt(parts[1], false, string.Empty, 0, string.Empty, line);
            }
        }

        return attempts;
    }

    /// <summary>Stands for an attempt the child never reported (it failed the assertions that use it).</summary>
    public static ChildAttempt Missing(string name) => new(name, false, "(not reported)", 0, string.Empty, $"attempt {name} not reported");

    /// <inheritdoc/>
    public override string ToString() => Line;
}
