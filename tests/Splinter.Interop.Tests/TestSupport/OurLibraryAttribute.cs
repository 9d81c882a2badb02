using System;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>
/// Marks a test that depends on a divergence of our own libsplinter from upstream 1.2.0 (native/README.md lists them).
/// It carries the category "OurLibrary" and is reported as skipped, naming the divergence, when the library under test
/// may not be ours: a bring-your-own-prefix build, or SPLINTER_LIBRARY / SPLINTER_LIBRARY_P set.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class OurLibraryAttribute(string divergence) : CategoryAttribute("OurLibrary"), IApplyToTest
{
    /// <summary>The divergence the test relies on, as native/README.md names it.</summary>
    public string Divergence { get; } = divergence;

    /// <summary>True when the tests run against our own library, built in this repository.</summary>
    public static bool LibraryIsOurs =>
        NativeBuildInfo.Configuration is "default" or "embeddings" &&
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SPLINTER_LIBRARY")) &&
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SPLINTER_LIBRARY_P"));

    /// <inheritdoc/>
    public new void ApplyToTest(Test test)
    {
        base.ApplyToTest(test);
        if (test.RunState != RunState.NotRunnable && !LibraryIsOurs)
        {
            test.RunState = RunState.Ignored;
            test.Properties.Set(PropertyNames.SkipReason, $"relies on our library's divergence: {Divergence} (the library under test may be another build)");
        }
    }
}
