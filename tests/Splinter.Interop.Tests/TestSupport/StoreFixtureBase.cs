using NUnit.Framework;
using Splinter.Interop;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>Base of the store fixtures: one variant per fixture instance, unique names per test, cleanup in TearDown.</summary>
public abstract class StoreFixtureBase
{
    /// <summary>Binds the fixture to a variant.</summary>
    protected StoreFixtureBase(SplinterVariant variant) => Variant = variant;

    /// <summary>The variant under test.</summary>
    protected SplinterVariant Variant { get; }

    /// <summary>Names and stores of the current test.</summary>
    protected StoreTestNames Names { get; private set; } = null!;

    /// <summary>Options selecting the variant under test.</summary>
    protected SplinterStoreOptions Options => Names.Options;

    /// <summary>Fresh names for each test.</summary>
    [SetUp]
    public void CreateNames() => Names = new StoreTestNames(Variant);

    /// <summary>Disposes stores and deletes their objects, also after a failure.</summary>
    [TearDown]
    public void CleanUp() => Names.Dispose();
}
