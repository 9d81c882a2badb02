// Splits a Doxygen-style comment (/** ... */ or ///) into summary, @param and @return text.
using System.Text;
using System.Text.RegularExpressions;
using Splinter.Interop.Generator.Model;

namespace Splinter.Interop.Generator.Reading;

/// <summary>Parses the header's doc comments.</summary>
internal static partial class DocComment
{
    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>Parses raw comment text; an empty string gives CDoc.Empty.</summary>
    public static CDoc Parse(string raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return CDoc.Empty;
        }
        var lines = new StringBuilder();
        foreach (string rawLine in raw.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n'))
        {
            string line = rawLine.Trim();
            if (line.StartsWith("/**", StringComparison.Ordinal) || line.StartsWith("/*!", StringComparison.Ordinal))
            {
                line = line[3..];
            }
            else if (line.StartsWith("///", StringComparison.Ordinal))
            {
                line = line[3..];
            }
            if (line.EndsWith("*/", StringComparison.Ordinal))
            {
                line = line[..^2];
            }
            line = line.TrimStart();
            if (line.StartsWith('*'))
            {
                line = line[1..];
            }
            lines.Append(line.Trim()).Append('\n');
        }

        string summary = string.Empty;
        string returns = string.Empty;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null; // null: summary; "": returns; otherwise a parameter name
        var text = new StringBuilder();

        void Flush()
        {
            string value = Whitespace().Replace(text.ToString(), " ").Trim();
            if (current is null)
            {
                summary = value;
            }
            else if (current.Length == 0)
            {
                returns = value;
            }
            else
            {
                parameters[current] = value;
            }
            text.Clear();
        }

        string all = lines.ToString();
        int position = 0;
        foreach (Match tag in TagPattern().Matches(all))
        {
            text.Append(all, position, tag.Index - position);
            Flush();
            current = tag.Groups["param"].Success ? tag.Groups["name"].Value : string.Empty;
            position = tag.Index + tag.Length;
        }
        text.Append(all, position, all.Length - position);
        Flush();
        return new CDoc(summary, parameters, returns);
    }

    [GeneratedRegex(@"[@\\](?:(?<param>param)(?:\[[a-z, ]+\])?\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)|(?:returns?|retval)\b)")]
    private static partial Regex TagPattern();
}
