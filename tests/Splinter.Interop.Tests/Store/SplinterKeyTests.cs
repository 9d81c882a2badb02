using System;
using System.Text;
using NUnit.Framework;
using Splinter.Interop;

namespace Splinter.Interop.Tests.Store;

[TestFixture]
[Category("Store")]
public sealed class SplinterKeyTests
{
    public static readonly object[] BadStringKeys =
    [
        new object[] { string.Empty, "empty" },
        new object[] { new string('k', 64), "64 UTF-8 bytes" },
        new object[] { new string('k', 200), "200 UTF-8 bytes" },
        new object[] { new string('\u20AC', 22), "66 UTF-8 bytes" },
        new object[] { "ab\uD800cd", "lone UTF-16 surrogate" },
        new object[] { "ab\uDC00", "lone UTF-16 surrogate" },
        new object[] { "a\0b", "NUL" },
    ];

    [TestCaseSource(nameof(BadStringKeys))]
    public void BadStringKey_ThrowsArgumentExceptionSayingWhy(string key, string why)
    {
        var error = Assert.Throws<ArgumentException>(() => _ = new SplinterKey(key));
        Assert.That(error!.Message, Does.Contain(why));
        Assert.That(SplinterKey.TryCreate(key, out _), Is.False);
    }

    [Test]
    public void LongKey_MessageStatesLimitAndActualCount()
    {
        var error = Assert.Throws<ArgumentException>(() => _ = new SplinterKey(new string('x', 64)));
        Assert.That(error!.Message, Does.Contain("64 UTF-8 bytes").And.Contain("at most 63 bytes"));
    }

    [Test]
    public void NullKey_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new SplinterKey((string)null!));
        Assert.That(SplinterKey.TryCreate(null, out _), Is.False);
    }

    [TestCase(1)]
    [TestCase(63)]
    public void KeysUpTo63Bytes_AreAccepted(int length)
    {
        string text = new('a', length);
        var key = new SplinterKey(text);
        Assert.Multiple(() =>
        {
            Assert.That(key.ByteCount, Is.EqualTo(length));
            Assert.That(key.ToString(), Is.EqualTo(text));
            Assert.That(key.Utf8.ToArray(), Is.EqualTo(Encoding.UTF8.GetBytes(text)));
            Assert.That(key.IsDefault, Is.False);
            Assert.That(SplinterKey.TryCreate(text, out SplinterKey created), Is.True);
            Assert.That(created, Is.EqualTo(key));
        });
    }

    [Test]
    public void MultiByteKey_CountsUtf8Bytes()
    {
        var key = new SplinterKey(new string('\u20AC', 21)); // 21 x 3 = 63 bytes
        Assert.That(key.ByteCount, Is.EqualTo(63));
        var emoji = new SplinterKey("\U0001F600"); // a valid surrogate pair: 4 bytes
        Assert.That(emoji.ByteCount, Is.EqualTo(4));
    }

    [Test]
    public void Utf8Constructor_ValidatesBytes()
    {
        Assert.Throws<ArgumentException>(() => _ = new SplinterKey(ReadOnlySpan<byte>.Empty));
        Assert.Throws<ArgumentException>(() => _ = new SplinterKey(new byte[64]));
        Assert.Throws<ArgumentException>(() => _ = new SplinterKey("a\0b"u8));
        Assert.Throws<ArgumentException>(() => _ = new SplinterKey(new byte[] { 0x61, 0xFF }), "invalid UTF-8");
        var key = new SplinterKey("caf\u00E9"u8);
        Assert.That(key.ToString(), Is.EqualTo("caf\u00E9"));
        Assert.That(key, Is.EqualTo(new SplinterKey("caf\u00E9")));
    }

    [Test]
    public void Equality_IsByteWise()
    {
        var a = new SplinterKey("alpha");
        var b = SplinterKey.Create("alpha");
        var c = (SplinterKey)"beta";
        Assert.Multiple(() =>
        {
            Assert.That(a == b, Is.True);
            Assert.That(a != c, Is.True);
            Assert.That(a.Equals((object)b), Is.True);
            Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
            Assert.That(default(SplinterKey) == a, Is.False);
            Assert.That(default(SplinterKey).IsDefault, Is.True);
            Assert.That(default(SplinterKey).ByteCount, Is.Zero);
            Assert.That(default(SplinterKey).ToString(), Is.Empty);
        });
    }
}
