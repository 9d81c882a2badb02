using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Reliability;

/// <content>
/// Model-based fuzzing: random operation sequences applied to a real store and to
/// <see cref="StoreModel"/>; every observation (return value, exception type, errno) must be equal,
/// and every few operations the whole visible state is compared too. The seed is printed and can be
/// fixed with SPLINTER_FUZZ_SEED; a divergence reports the seed, the operation index, the operation
/// and the operations before it.
/// </content>
public sealed partial class ReliabilityTests
{
    private const int FuzzSlots = 8;
    private const int FuzzMaxValue = 96; // > 64: hybrid scrub leaves stale bytes past 64, exposed by MarkAsSystem
    private const int FullCheckEvery = 8;

    // 14 keys for 8 slots: the store fills up, probes collide, unsets open holes that create duplicate keys (native/README.md, "Kept on purpose").
    private static readonly string[] FuzzKeys =
    [
        "a", "b", "c", "d", "e", "f", "k0", "k1", "schlüssel", "键", "t0", "t0.1", "t0.2", "long-key-" + new string('x', 50),
    ];

    private static readonly byte[] FuzzTypes = [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x0C, 0x84, 0x80, 0x05];

    private static readonly string[] PromotionTexts = ["42", "010", "0x1f", "0X7", "09", "0x", "7abc", "1234567", "abc", "0", "9"];

    [Test]
    [Order(10)]
    [OurLibrary("the model follows our library where it diverges: BIGUINT promotion in place, epochs that never go back")]
    [TestCase(SplinterVariant.SharedMemory, 100_000)]
    [TestCase(SplinterVariant.Persistent, 100_000)]
    public void Fuzz_StoreMatchesTheReferenceModel(SplinterVariant variant, int operations)
    {
        int seed = FuzzSeed();
        TestContext.Progress.WriteLine($"fuzz {variant}: seed {seed} (set SPLINTER_FUZZ_SEED={seed} to replay), {operations} operations, {FuzzSlots} slots x {FuzzMaxValue} bytes");
        var stats = RunFuzz(variant, seed, operations);
        TestContext.Progress.WriteLine($"fuzz {variant}: {operations} operations, 0 divergences, {stats}");
    }

    /// <summary>The fuzzer can fail: a model with one rule changed (append does not advance the epoch on overflow) diverges.</summary>
    [Test]
    [Order(11)]
    public void Fuzz_ADeliberatelyWrongObservationIsReportedWithSeedAndOperation()
    {
        using SplinterStore store = _shm.Create(FuzzSlots, FuzzMaxValue, "fuzzneg");
        var model = new StoreModel(FuzzSlots, FuzzMaxValue);
        var log = new List<string>();
        Step(store, model, log, 1234, 0, "set a", s => Run(() => s.Set("a", "xyz"u8)), m => m.Set("a", "xyz"u8.ToArray()));
        AssertionException failure = Assert.Throws<AssertionException>(() =>
            Step(store, model, log, 1234, 1, "epoch a (model off by 2)", s => "epoch:" + s.GetEpoch("a"), m => "epoch:" + (ulong.Parse(m.GetEpoch("a")[6..], CultureInfo.InvariantCulture) + 2)))!;
        Assert.That(failure.Message, Does.Contain("seed 1234").And.Contain("operation 1").And.Contain("epoch a (model off by 2)").And.Contain("set a"));
    }

    private static int FuzzSeed()
    {
        string? text = Environment.GetEnvironmentVariable("SPLINTER_FUZZ_SEED");
        return string.IsNullOrWhiteSpace(text) ? Environment.TickCount & int.MaxValue : int.Parse(text, CultureInfo.InvariantCulture);
    }

    private string RunFuzz(SplinterVariant variant, int seed, int operations)
    {
        var random = new Random(seed);
        using SplinterStore store = Names(variant).Track(SplinterStore.Create(Names(variant).NewName("fuzz"), FuzzSlots, FuzzMaxValue, OptionsFor(variant)));
        var model = new StoreModel(FuzzSlots, FuzzMaxValue);
        var log = new List<string>(64);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int fullStores = 0;
        Stopwatch clock = Stopwatch.StartNew();
        for (int i = 0; i < operations; i++)
        {
            (string name, string description, Func<SplinterStore, string> real, Func<StoreModel, string> expected) = NextOperation(random);
            string observed = Step(store, model, log, seed, i, description, real, expected);
            counts[name] = counts.GetValueOrDefault(name) + 1;
            if (observed == "ex:" + nameof(SplinterStoreFullException))
            {
                fullStores++;
            }

            if (i % FullCheckEvery == FullCheckEvery - 1 || i == operations - 1)
            {
                CompareWholeState(store, model, log, seed, i);
            }
        }

        return $"{clock.ElapsedMilliseconds} ms, {fullStores} store-full results, ops: " + string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value}"));
    }

    /// <summary>Applies one operation to both sides and fails with the seed, index and recent history on a difference.</summary>
    private static string Step(SplinterStore store, StoreModel model, List<string> log, int seed, int index, string description, Func<SplinterStore, string> real, Func<StoreModel, string> expected)
    {
        string wanted = expected(model);
        string observed = Run(() => real(store));
        if (log.Count == 40)
        {
            log.RemoveAt(0);
        }

        log.Add($"#{index} {description} -> {observed}");
        if (observed != wanted)
        {
            Assert.Fail(
                $"divergence at operation {index} (seed {seed}; replay with SPLINTER_FUZZ_SEED={seed}): {description}\n" +
                $"  store: {observed}\n  model: {wanted}\n  last operations:\n    " + string.Join("\n    ", log));
        }

        return observed;
    }

    private static string Run(Action action) => Run(() =>
    {
        action();
        return StoreModel.Ok();
    });

    private static string Run(Func<string> action)
    {
        try
        {
            return action();
        }
        catch (Exception exception) when (exception is not AssertionException)
        {
            return StoreModel.Failure(exception);
        }
    }

    private static void CompareWholeState(SplinterStore store, StoreModel model, List<string> log, int seed, int index)
    {
        foreach (string key in FuzzKeys)
        {
            Step(store, model, log, seed, index, $"[state] get {key}", s => StoreModel.Value(s.Get(key)), m => m.Get(key));
            Step(store, model, log, seed, index, $"[state] epoch {key}", s => "epoch:" + s.GetEpoch(key), m => m.GetEpoch(key));
            Step(store, model, log, seed, index, $"[state] snapshot {key}", s => s.Slots.TryGetSnapshot(key, out SplinterSlotSnapshot snap) ? StoreModel.Snapshot(snap) : "snapshot:none", m => m.Snapshot(key));
        }

        Step(store, model, log, seed, index, "[state] keys", s => "keys:" + string.Concat(s.GetKeys().Select(k => k + ";")), m => m.Keys());
        Step(store, model, log, seed, index, "[state] header", s => HeaderText(s.Header.GetSnapshot()), m => m.Header());
        Step(store, model, log, seed, index, "[state] labels 0", s => MatchesText(s.FindByLabels(0)), m => m.FindByLabels(0));
        for (int group = 0; group < 4; group++)
        {
            int g = group;
            Step(store, model, log, seed, index, $"[state] signals {g}", s => "signals:" + s.Signals.GetCount(g), m => m.SignalCount(g));
        }
    }

    private static string HeaderText(SplinterHeaderSnapshot header) => $"header:epoch {header.Epoch} flags {(byte)header.CoreFlags}";

    private static string MatchesText(IReadOnlyList<SplinterLabelMatch> matches) => "matches:" + string.Concat(matches.Select(m => $"{m.Key}@{m.Epoch};"));

    private static byte[] RandomValue(Random random, bool allowInvalid)
    {
        int roll = random.Next(100);
        if (allowInvalid && roll < 2)
        {
            return [];
        }

        if (allowInvalid && roll < 4)
        {
            return new byte[FuzzMaxValue + 1 + random.Next(8)];
        }

        if (roll < 20)
        {
            return Encoding.ASCII.GetBytes(PromotionTexts[random.Next(PromotionTexts.Length)]);
        }

        int length = roll < 60 ? random.Next(1, 9) : random.Next(1, FuzzMaxValue + 1);
        byte[] value = new byte[length];
        random.NextBytes(value);
        return value;
    }

    private static ulong RandomMask(Random random) => random.Next(4) switch
    {
        0 => 1UL << random.Next(64),
        1 => (ulong)random.Next(1, 16),
        2 => 0,
        _ => (ulong)random.NextInt64() | (1UL << random.Next(64)),
    };

    private static string Hex(byte[] value) => value.Length <= 16 ? Convert.ToHexString(value) : $"{value.Length} bytes {Convert.ToHexString(value, 0, 8)}..";

    /// <summary>One random operation: a name for the statistics, a replayable description, the real call and the model's prediction.</summary>
    private static (string Name, string Description, Func<SplinterStore, string> Real, Func<StoreModel, string> Expected) NextOperation(Random random)
    {
        string key = FuzzKeys[random.Next(FuzzKeys.Length)];
        int roll = random.Next(100);
        switch (roll)
        {
            case < 18:
            {
                byte[] value = RandomValue(random, allowInvalid: true);
                return ("set", $"set {key} = {Hex(value)}", s => Run(() => s.Set(key, value)), m => m.Set(key, value));
            }

            case < 26:
                return ("get", $"get {key}", s => StoreModel.Value(s.Get(key)), m => m.Get(key));
            case < 30:
            {
                int capacity = random.Next(0, 12);
                return ("tryget", $"tryget {key} into {capacity}", s =>
                {
                    byte[] buffer = new byte[capacity];
                    if (s.TryGet(key, buffer, out int length))
                    {
                        return "found:" + Convert.ToHexString(buffer, 0, length);
                    }

                    return (length == 0 ? "missing:" : "small:") + length;
                }, m => m.TryGet(key, capacity));
            }

            case < 37:
                return ("remove", $"remove {key}", s => "removed:" + s.Remove(key), m => m.Remove(key));
            case < 42:
            {
                byte[] data = RandomValue(random, allowInvalid: true);
                if (data.Length > 0 && random.Next(2) == 0)
                {
                    data = data[..Math.Min(data.Length, 6)];
                }

                return ("append", $"append {key} += {Hex(data)}", s => Run(() => "length:" + s.Append(key, data)), m => m.Append(key, data));
            }

            case < 46:
            {
                ulong mask = RandomMask(random);
                bool add = random.Next(3) != 0;
                return ("labels", $"{(add ? "add" : "remove")} labels {key} {mask:X}", s => Run(() =>
                {
                    if (add)
                    {
                        s.AddLabels(key, mask);
                    }
                    else
                    {
                        s.RemoveLabels(key, mask);
                    }
                }), m => m.Labels(key, mask, add));
            }

            case < 48:
            {
                ulong mask = random.Next(3) == 0 ? 0 : (ulong)random.Next(1, 8);
                return ("find", $"find labels {mask:X}", s => MatchesText(s.FindByLabels(mask)), m => m.FindByLabels(mask));
            }

            case < 53:
            {
                byte type = FuzzTypes[random.Next(FuzzTypes.Length)];
                return ("type", $"type {key} = 0x{type:X2}", s => Run(() => s.Slots.SetType(key, (SplinterSlotTypes)type)), m => m.SetType(key, type));
            }

            case < 60:
            {
                var operation = (SplinterIntegerOperation)random.Next(6);
                ulong operand = random.Next(3) == 0 ? (ulong)random.NextInt64() : (ulong)random.Next(0, 5);
                return ("integer", $"integer {key} {operation} {operand}", s => Run(() => s.Integers.Apply(key, operation, operand)), m => m.Integer(key, operation, operand));
            }

            case < 62:
                return ("uint64", $"uint64 {key}", s => s.Integers.TryGet(key, out ulong v) ? "uint64:" + v : "uint64:none", m => m.GetUInt64(key));
            case < 64:
            {
                var which = (SplinterSlotTime)random.Next(2);
                ulong time = (ulong)random.NextInt64();
                ulong offset = random.Next(2) == 0 ? 0 : (ulong)random.NextInt64();
                return ("time", $"time {key} {which} {time} - {offset}", s => Run(() => s.Slots.SetTime(key, which, time, offset)), m => m.SetTime(key, which, time, offset));
            }

            case < 65:
                return ("system", $"system {key}", s => Run(() => s.Slots.MarkAsSystem(key)), m => m.MarkAsSystem(key));
            case < 68:
                return ("bump", $"bump {key}", s => Run(() => s.Signals.Bump(key)), m => m.Bump(key));
            case < 70:
                return ("retrain", $"retrain {key}", s => Run(() => s.Slots.Retrain(key)), m => m.Retrain(key));
            case < 71:
                return ("pulse", $"pulse {key}", s => Run(() => s.Signals.Pulse(key)), m => m.PulseKey(key));
            case < 73:
            {
                int group = random.Next(4);
                bool register = random.Next(3) != 0;
                return ("watch", $"{(register ? "watch" : "unwatch")} {key} group {group}", s => Run(() =>
                {
                    if (register)
                    {
                        s.Signals.Register(key, group);
                    }
                    else
                    {
                        s.Signals.Unregister(key, group);
                    }
                }), m => m.Watch(key, group, register));
            }

            case < 74:
            {
                ulong labels = (ulong)random.Next(1, 16);
                int group = random.Next(4);
                return ("watchlabels", $"watch labels {labels:X} group {group}", s => Run(() => s.Signals.MapLabels(labels, group)), m => m.WatchLabels(labels, group));
            }

            case < 76:
            {
                int operation = random.Next(3);
                byte flags = (byte)random.Next(256);
                return ("userflags", $"userflags {key} op {operation} 0x{flags:X2}", s => Run(() => operation switch
                {
                    0 => Run(() => s.Slots.SetUserFlags(key, (SplinterSlotUserFlags)flags)),
                    1 => Run(() => s.Slots.ClearUserFlags(key, (SplinterSlotUserFlags)flags)),
                    _ => "user:" + (byte)s.Slots.GetUserFlags(key),
                }), m => m.UserFlags(key, operation, flags));
            }

            case < 79:
            {
                int orders = random.Next(1, 4);
                byte[][] values = new byte[orders][];
                for (int i = 0; i < orders; i++)
                {
                    values[i] = RandomValue(random, allowInvalid: random.Next(10) == 0);
                }

                return ("tandem", $"tandem t0 x{orders} = {string.Join(",", values.Select(Hex))}", s => Run(() => s.Tandem.Set("t0", values)), m => m.SetTandem("t0", values));
            }

            case < 80:
            {
                int orders = random.Next(1, 4);
                return ("untandem", $"remove tandem t0 x{orders}", s => Run(() => s.Tandem.Remove("t0", orders)), m => m.RemoveTandem("t0", orders));
            }

            case < 82:
                return ("keys", "keys", s => "keys:" + string.Concat(s.GetKeys().Select(k => k + ";")), m => m.Keys());
            case < 86:
                return ("contains", $"contains {key}", s => "contains:" + s.Contains(key), m => m.Contains(key));
            case < 90:
                return ("epoch", $"epoch {key}", s => "epoch:" + s.GetEpoch(key), m => m.GetEpoch(key));
            case < 93:
                return ("snapshot", $"snapshot {key}", s => s.Slots.TryGetSnapshot(key, out SplinterSlotSnapshot snap) ? StoreModel.Snapshot(snap) : "snapshot:none", m => m.Snapshot(key));
            case < 94:
            {
                var mode = (SplinterMopMode)random.Next(3);
                return ("mop", $"mop {mode}", s => Run(() => s.Header.SetMopMode(mode)) + " " + "mop:" + (int)s.Header.GetMopMode(), m => m.SetMop(mode) + " " + m.GetMop());
            }

            case < 95:
                return ("purge", "purge", s => Run(s.Slots.Purge), m => m.Purge());
            case < 96:
                return ("header", "header", s => HeaderText(s.Header.GetSnapshot()), m => m.Header());
            case < 98:
            {
                int group = random.Next(4);
                return ("signals", $"signals {group}", s => "signals:" + s.Signals.GetCount(group), m => m.SignalCount(group));
            }

            default:
            {
                // Keys the binding must refuse before any native call: empty, or over 63 UTF-8 bytes (long keys (native/README.md, "Kept on purpose")).
                string bad = random.Next(2) == 0 ? string.Empty : new string('q', 64);
                return ("badkey", $"set bad key ({bad.Length} chars)", s => Run(() => s.Set(bad, "v"u8)) is { } r && r.StartsWith("ex:Argument", StringComparison.Ordinal) ? "refused" : "accepted", _ => "refused");
            }
        }
    }
}
