using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

/// <summary>Every key-taking member refuses every bad key before calling libsplinter, in every key form.</summary>
[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreBadInputTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private static readonly (string? Key, Type Expected, string Case)[] BadKeys =
    [
        (null, typeof(ArgumentNullException), "null"),
        (string.Empty, typeof(ArgumentException), "empty"),
        (new string('k', 64), typeof(ArgumentException), "64 bytes"),
        (new string('k', 200), typeof(ArgumentException), "200 bytes"),
        ("lone\uD800", typeof(ArgumentException), "lone high surrogate"),
        ("\uDC00lone", typeof(ArgumentException), "lone low surrogate"),
        ("nul\0inside", typeof(ArgumentException), "NUL inside"),
    ];

    private SplinterStore _store = null!;

    [SetUp]
    public void OpenStore() => _store = Names.Create(slots: 8, maxValueSize: 16);

    [TearDown]
    public void CloseStore() => _store.Dispose();

    [Test]
    public void EveryStringKeyMember_RejectsEveryBadKey_AndTheStoreIsUntouched()
    {
        ulong storeEpoch = _store.Header.GetSnapshot().Epoch;
        var failures = new List<string>();
        int checkedCalls = 0;
        foreach (StoreOperation operation in StoreReflection.InvocableOperations().Where(o => o.GetParameters().Any(p => StoreReflection.IsKeyParameter(p) && p.ParameterType == typeof(string))))
        {
            foreach ((string? key, Type expected, string name) in BadKeys)
            {
                checkedCalls++;
                Exception? thrown = Invoke(operation, key);
                if (thrown is null || !expected.IsInstanceOfType(thrown))
                {
                    failures.Add($"{operation} with {name} key: {thrown?.GetType().Name ?? "no exception"}");
                }
            }
        }

        Assert.That(failures, Is.Empty);
        Assert.That(checkedCalls, Is.GreaterThan(30 * BadKeys.Length), "the table reached the key-taking members");
        Assert.That(_store.GetKeys(), Is.Empty);
        Assert.That(_store.Header.GetSnapshot().Epoch, Is.EqualTo(storeEpoch));
    }

    [Test]
    public void EverySplinterKeyMember_RejectsDefaultKey()
    {
        var failures = new List<string>();
        StoreOperation[] operations = StoreReflection.InvocableOperations()
            .Where(o => o.GetParameters().Any(p => p.ParameterType == typeof(SplinterKey)))
            .ToArray();
        foreach (StoreOperation operation in operations)
        {
            object?[] arguments = StoreReflection.ValidArguments(operation.Method, default(SplinterKey));
            Exception? thrown = Invoke(operation, arguments);
            if (thrown is not ArgumentException)
            {
                failures.Add($"{operation}: {thrown?.GetType().Name ?? "no exception"}");
            }
        }

        Assert.That(failures, Is.Empty);
        Assert.That(operations, Has.Length.GreaterThan(30));
    }

    [TestCase(64)]
    [TestCase(200)]
    public void Utf8KeyOverloads_RejectLongKeys(int length)
    {
        byte[] key = new byte[length];
        Array.Fill(key, (byte)'u');
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => _store.Set(key, "v"u8));
            Assert.Throws<ArgumentException>(() => _store.TryGet(key, new byte[4], out _));
            Assert.Throws<ArgumentException>(() => _store.Get(key));
            Assert.Throws<ArgumentException>(() => _store.GetEpoch(key));
            Assert.Throws<ArgumentException>(() => _store.Remove(key));
            Assert.Throws<ArgumentException>(() => _store.Append(key, "v"u8));
            Assert.Throws<ArgumentException>(() => _store.AddLabels(key, 1));
            Assert.Throws<ArgumentException>(() => _store.Signals.Register(key, 1));
            Assert.Throws<ArgumentException>(() => _store.TryRead(key, 0, static (v, _) => v.Length, out _));
        });
    }

    [Test]
    public void Utf8KeyOverloads_RejectEmptyNulAndInvalidUtf8()
    {
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => _store.Set(ReadOnlySpan<byte>.Empty, "v"u8));
            Assert.Throws<ArgumentException>(() => _store.Set("a\0b"u8, "v"u8));
            Assert.Throws<ArgumentException>(() => _store.Set(new byte[] { 0xC3 }, "v"u8));
            Assert.Throws<ArgumentException>(() => _store.GetString(new byte[] { 0xFF, 0x41 }));
            Assert.Throws<ArgumentException>(() => _store.Signals.Bump(ReadOnlySpan<byte>.Empty));
            Assert.Throws<ArgumentException>(() => _store.Slots.SetType("\0"u8, SplinterSlotTypes.Json));
        });
        Assert.That(_store.GetKeys(), Is.Empty);
    }

    [Test]
    public void StringKeys_NulOrNonAsciiAtAnyPosition_AreHandled([Values(1, 7, 8, 9, 15, 16, 17, 31, 62, 63)] int length)
    {
        // The ASCII fast path works in 8-character steps with an overlapping tail: probe every position class.
        foreach (int position in new[] { 0, length / 2, length - 1 })
        {
            char[] chars = new string('x', length).ToCharArray();
            chars[position] = '\0';
            Assert.Throws<ArgumentException>(() => _store.Set(new string(chars), "v"), $"NUL at {position} of {length}");

            chars[position] = '\u00E9'; // two UTF-8 bytes: valid unless the key grows past 63 bytes
            string key = new(chars);
            if (length + 1 > 63)
            {
                Assert.Throws<ArgumentException>(() => _store.Set(key, "v"));
                continue;
            }

            _store.Set(key, "v");
            Assert.That(_store.GetString(System.Text.Encoding.UTF8.GetBytes(key)), Is.EqualTo("v"), $"\u00E9 at {position} of {length}");
            Assert.That(_store.Remove(key), Is.True);
        }

        string ascii = new('y', length);
        _store.Set(ascii, "ascii");
        Assert.That(_store.GetString(new SplinterKey(ascii)), Is.EqualTo("ascii"));
        Assert.That(_store.Remove(ascii), Is.True);
    }

    [Test]
    public void StringKeys_EveryLengthAndCharacterClass_MatchTheirUtf8Form()
    {
        // The string paths (lookup: TryGet/GetEpoch/Contains; write: Set) copy ASCII keys in blocks (8..16 characters as
        // two overlapping halves, longer ones 16 at a time) and narrow each character with saturation: characters on
        // both sides of every boundary of that narrowing, at the start, middle and end of every length.
        byte[] buffer = new byte[8];
        char[] specials = ['\u007F', '\u0080', '\u00FF', '\u0100', '\u7FFF', '\u8000', '\uFFFD', '\u0001', '\u0141', '\u4E41'];
        for (int length = 1; length <= 64; length++)
        {
            foreach (int position in new[] { 0, length / 2, length - 1 })
            {
                foreach (char special in specials)
                {
                    char[] chars = new string('k', length).ToCharArray();
                    chars[position] = special;
                    string key = new(chars);
                    byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(key);
                    string what = $"U+{(int)special:X4} at {position} of {length}";
                    if (utf8.Length > 63)
                    {
                        Assert.Throws<ArgumentException>(() => _store.Set(key, "v"), what);
                        Assert.Throws<ArgumentException>(() => _store.GetEpoch(key), what);
                        continue;
                    }

                    _store.Set(utf8, "u"u8);
                    Assert.That(_store.TryGet(key, buffer, out int read) && read == 1 && buffer[0] == (byte)'u', Is.True, what);
                    Assert.That(_store.GetEpoch(key), Is.EqualTo(_store.GetEpoch(utf8)).And.Not.Zero, what);
                    _store.Set(key, "s"u8);
                    Assert.That(_store.GetString(utf8), Is.EqualTo("s"), what);
                    Assert.That(_store.Remove(utf8), Is.True, what);
                    Assert.That(_store.Contains(key), Is.False, what);
                }
            }
        }

        Assert.That(_store.GetKeys(), Is.Empty);
    }

    [Test]
    public void KeyOf63Bytes_IsAccepted_64IsNot_InEveryForm()
    {
        string ok = new('a', 63);
        string bad = new('a', 64);
        _store.Set(ok, "v");
        _store.Set(System.Text.Encoding.UTF8.GetBytes(ok), "w"u8);
        Assert.That(_store.GetString(new SplinterKey(ok)), Is.EqualTo("w"));
        var error = Assert.Throws<ArgumentException>(() => _store.Set(bad, "v"));
        Assert.That(error!.Message, Does.Contain("63").And.Contain("64"));
        Assert.That(error.ParamName, Is.EqualTo("key"));
        Assert.That(_store.GetKeys(), Is.EqualTo(new[] { ok }));
    }

    private Exception? Invoke(StoreOperation operation, string? key) => Invoke(operation, StoreReflection.ValidArguments(operation.Method, key));

    private Exception? Invoke(StoreOperation operation, object?[] arguments)
    {
        try
        {
            operation.Invoke(_store, arguments);
            return null;
        }
        catch (TargetInvocationException wrapper)
        {
            return wrapper.InnerException;
        }
    }
}
