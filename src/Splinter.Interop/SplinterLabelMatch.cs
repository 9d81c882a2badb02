namespace Splinter.Interop;

/// <summary>A key whose labels matched a mask, with its slot epoch at the time of enumeration.</summary>
/// <param name="Key">The key.</param>
/// <param name="Epoch">The slot epoch seen (odd if a writer was inside).</param>
public readonly record struct SplinterLabelMatch(string Key, ulong Epoch);
