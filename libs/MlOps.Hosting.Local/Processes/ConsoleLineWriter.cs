using System.Text;

namespace MlOps.Hosting.Local.Processes;

/// <summary>
/// Writes the lines of several processes to one console, each prefixed with its name (<c>[auth] …</c>) and, on a
/// terminal, in a color of its own so interleaved output stays readable.
/// </summary>
public sealed class ConsoleLineWriter(TextWriter writer, bool useColor)
{
    // ANSI foreground colors that read well on dark and light backgrounds.
    private static readonly string[] Palette = ["36", "32", "33", "35", "34", "96", "92", "93", "95", "94"];

    private readonly Dictionary<string, string> _colors = new(StringComparer.Ordinal);

    private readonly Lock _writing = new();

    /// <summary>
    /// Colored when standard output is a terminal and <c>NO_COLOR</c> is not set. It writes through a buffer of its own:
    /// <see cref="Console.Out"/> issues a write call for every 256 characters, several per line of a busy service.
    /// </summary>
    public static ConsoleLineWriter ForConsole() =>
        new(
            new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024),
            !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null);

    /// <summary>
    /// Lines of one source in one write, under a lock so lines of different processes never mix; a batch costs one
    /// flush.
    /// </summary>
    public void WriteLines(string source, IReadOnlyList<string> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        var prefix = useColor ? $"\u001b[{ColorOf(source)}m[{source}]\u001b[0m " : $"[{source}] ";
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Append(prefix).Append(line).Append(writer.NewLine);
        }

        lock (_writing)
        {
            writer.Write(text);
            writer.Flush();
        }
    }

    /// <summary>Each source keeps the color it was first given; distinct while there are fewer sources than colors.</summary>
    private string ColorOf(string source)
    {
        lock (_colors)
        {
            if (!_colors.TryGetValue(source, out var color))
            {
                color = Palette[_colors.Count % Palette.Length];
                _colors.Add(source, color);
            }

            return color;
        }
    }
}
