// Emits generation-report.txt: what was bound, skipped (with reasons) and excluded, with counts.
using System.Globalization;
using Splinter.Interop.Generator.Model;

namespace Splinter.Interop.Generator.Emitting;

internal sealed partial class Generator
{
    private string EmitReport(IReadOnlyDictionary<string, string> files)
    {
        var writer = new CodeWriter();
        writer.Line($"Splinter.Interop.Generator report for {Headers}");
        writer.Line();
        writer.Line("Counts");
        writer.Line(Invariant($"  library functions: {LibraryFunctions.Count()} ({LibraryFunctions.Count(f => SuppressesGCTransition(f.Name))} with SuppressGCTransition, {LibraryFunctions.Count(f => IsOptional(f.Name))} optional)"));
        writer.Line(Invariant($"  shim functions: {ShimFunctions.Count()} declared + {ErrnoFunctions.Count()} errno wrappers"));
        writer.Line(Invariant($"  structs: {model.Structs.Count}, fields: {model.Structs.Sum(s => s.Fields.Count)}"));
        writer.Line(Invariant($"  enums: {model.Enums.Count}, constants: {model.Constants.Count}"));
        writer.Line();
        writer.Line("Skipped declarations");
        foreach (CSkipped skipped in model.Skipped.OrderBy(s => s.Kind, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            writer.Line($"  {skipped.Kind} {skipped.Name}: {skipped.Reason}");
        }
        writer.Line();
        writer.Line("Configured exclusions");
        foreach (ReasonedName exclusion in config.Exclusions.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            bool applied = model.Skipped.Any(s => s.Name == exclusion.Name && s.Reason.StartsWith("excluded", StringComparison.Ordinal));
            writer.Line($"  {exclusion.Name} ({(applied ? "applied" : "not declared in this configuration")}): {exclusion.Reason}");
        }
        writer.Line();
        writer.Line("Configured constant types");
        foreach (ConstantType entry in config.ConstantTypes.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            bool applied = model.Constants.Any(c => c.Name == entry.Name);
            writer.Line($"  {entry.Name} {entry.Type} ({(applied ? "applied" : "not declared in this configuration")}): {entry.Reason}");
        }
        writer.Line();
        writer.Line("Configured names declared only in #if branches this configuration does not take");
        var declared = new HashSet<string>(model.Functions.Select(f => f.Name), StringComparer.Ordinal);
        foreach (string name in config.SuppressGCTransition.Where(n => !declared.Contains(n)).Order(StringComparer.Ordinal))
        {
            writer.Line($"  suppressGCTransition: {name}");
        }
        foreach (string name in config.Errno.Where(n => !declared.Contains(n)).Order(StringComparer.Ordinal))
        {
            writer.Line($"  errno: {name}");
        }
        foreach (ReasonedName optional in config.OptionalFunctions.Where(o => !declared.Contains(o.Name)).OrderBy(o => o.Name, StringComparer.Ordinal))
        {
            writer.Line($"  optionalFunctions: {optional.Name}");
        }
        writer.Line();
        writer.Line("Files");
        foreach ((string name, string content) in files)
        {
            writer.Line(string.Create(CultureInfo.InvariantCulture, $"  {name} ({content.Length} chars)"));
        }
        return writer.ToString();
    }
}
