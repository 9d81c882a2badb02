// A tiny indented text writer: "\n" line ends everywhere so output is byte-identical on every machine.
using System.Text;

namespace Splinter.Interop.Generator.Emitting;

/// <summary>Builds source text with four-space indentation.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    /// <summary>Writes one line at the current indentation (an empty line has no trailing spaces).</summary>
    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _depth * 4).Append(line);
        }
        _text.Append('\n');
        return this;
    }

    /// <summary>Writes "{" and indents.</summary>
    public CodeWriter Open()
    {
        Line("{");
        _depth++;
        return this;
    }

    /// <summary>Dedents and writes "}" plus an optional suffix.</summary>
    public CodeWriter Close(string suffix = "")
    {
        _depth--;
        Line("}" + suffix);
        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => _text.ToString();
}
