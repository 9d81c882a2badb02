// Compiled together with the golden outputs (GoldenTests.GeneratedCSharpOfEveryGoldenHeaderCompilesWithoutDiagnostics):
// the constants of both spellings go where the C API takes them, without casts. With constants typed after their C
// spelling, the upstream spelling's (1u << 3) was a uint and the first call below did not compile (CS1503).
namespace Golden;

internal static unsafe class ConstantUsage
{
    internal static int SetTypeOurs() => ours_style.LibSplinter.up_set_type(null, ours_style.LibSplinter.UP_TYPE_JSON);

    internal static int SetTypeUpstream() => upstream_style.LibSplinter.up_set_type(null, upstream_style.LibSplinter.UP_TYPE_JSON);

    internal static bool Sizes()
    {
        const int oursWords = ours_style.LibSplinter.UP_MASK_WORDS;
        const int upstreamWords = upstream_style.LibSplinter.UP_MASK_WORDS;
        const int oursKey = ours_style.LibSplinter.UP_KEY_MAX;
        const int upstreamKey = upstream_style.LibSplinter.UP_KEY_MAX;
        return oursWords == upstreamWords && oursKey == upstreamKey;
    }

    internal static bool Flags(ours_style.up_slot* ours, upstream_style.up_slot* upstream)
    {
        ours->flags = ours_style.LibSplinter.UP_TYPE_JSON;
        upstream->flags = upstream_style.LibSplinter.UP_TYPE_JSON;
        uint magic = ours_style.LibSplinter.UP_MAGIC;
        return magic == upstream_style.LibSplinter.UP_MAGIC;
    }
}
