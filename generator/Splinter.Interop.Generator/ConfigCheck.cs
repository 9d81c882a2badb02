// Holds the configuration to the headers it describes: every listed name must be declared (in this configuration,
// or in an #if branch another configuration takes), and configured constant types must hold their values.
using Splinter.Interop.Generator.Model;

namespace Splinter.Interop.Generator;

/// <summary>Checks the configuration against what the reader found and applies the configured constant types.</summary>
internal static class ConfigCheck
{
    /// <summary>
    /// Adds a problem for each configuration entry that names nothing in the headers or cannot apply, and gives the
    /// model's constants their configured C# types.
    /// </summary>
    /// <param name="model">What the reader found; problems are added to it.</param>
    /// <param name="config">The configuration.</param>
    /// <param name="where">How messages name the configuration file.</param>
    public static void Apply(CModel model, GeneratorConfig config, string where)
    {
        var libraryFunctions = model.Functions.Where(f => f.Header == HeaderRole.Library).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var functions = model.Functions.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var excluded = model.Skipped.Where(s => s.Reason.StartsWith("excluded", StringComparison.Ordinal)).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

        void Require(string list, string name, HashSet<string> declared, string what)
        {
            if (!declared.Contains(name) && !model.InactiveIdentifiers.Contains(name))
            {
                model.Problems.Add($"{where}: {list}: '{name}' is not {what} of the headers (in any #if branch); remove the entry or fix its name");
            }
        }

        foreach (string name in config.SuppressGCTransition)
        {
            Require("suppressGCTransition", name, functions, "a bound function");
        }
        foreach (string name in config.Errno)
        {
            Require("errno", name, libraryFunctions, "a bound library function");
        }
        foreach (ReasonedName optional in config.OptionalFunctions)
        {
            Require("optionalFunctions", optional.Name, libraryFunctions, "a bound library function");
        }
        foreach (ReasonedName exclusion in config.Exclusions)
        {
            Require("exclusions", exclusion.Name, excluded, "a declaration");
        }
        foreach (string name in Duplicates(config))
        {
            model.Problems.Add($"{where}: '{name}' is listed twice in one list");
        }

        foreach (ConstantType entry in config.ConstantTypes)
        {
            int index = model.Constants.FindIndex(c => c.Name == entry.Name);
            if (index < 0)
            {
                Require("constantTypes", entry.Name, [], "a constant");
                continue;
            }
            CConstant constant = model.Constants[index];
            if (constant.Kind != CConstantKind.Integer)
            {
                model.Problems.Add($"{where}: constantTypes: '{entry.Name}' is a {constant.Kind.ToString().ToLowerInvariant()} constant; only integer constants take a type");
            }
            else if (!IntegerConstantType.Choices.Contains(entry.Type))
            {
                model.Problems.Add($"{where}: constantTypes: '{entry.Name}' has type '{entry.Type}'; choose one of {string.Join(", ", IntegerConstantType.Choices)}");
            }
            else if (!IntegerConstantType.Holds(entry.Type, constant.Negative, constant.SignedValue, constant.UnsignedValue))
            {
                string value = constant.Negative ? constant.SignedValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : constant.UnsignedValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
                model.Problems.Add($"{where}: constantTypes: '{entry.Name}' is {value}, which {entry.Type} cannot hold");
            }
            else
            {
                model.Constants[index] = constant with { CSharpType = entry.Type };
            }
        }
    }

    private static IEnumerable<string> Duplicates(GeneratorConfig config) =>
        new[]
        {
            config.SuppressGCTransition,
            config.Errno,
            config.OptionalFunctions.Select(o => o.Name),
            config.Exclusions.Select(e => e.Name),
            config.ConstantTypes.Select(c => c.Name),
        }.SelectMany(list => list.GroupBy(name => name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key));
}
