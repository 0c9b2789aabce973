using System.Globalization;
using System.Text;

namespace MlOps.Learning.Generators;

/// <summary>
/// Writes CSV rows into a small buffer that is handed to the stream asynchronously whenever it fills: UTF-8 without a
/// byte-order mark, LF line ends, fields quoted (RFC 4180) only when they hold a comma, a quote or a line break.
/// </summary>
internal sealed class CsvRowWriter : IAsyncDisposable
{
    private const int FlushThreshold = 1 << 16;
    private static readonly string[] FixedFormats = ["F0", "F1", "F2", "F3", "F4"];
    private readonly StreamWriter _writer;
    private readonly StringBuilder _buffer = new(FlushThreshold + 4096);
    private bool _inRow;

    public CsvRowWriter(Stream output) =>
        _writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), FlushThreshold, leaveOpen: true);

    public bool IsFull => _buffer.Length >= FlushThreshold;

    public void Text(string value)
    {
        Separate();
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            _buffer.Append(value);
            return;
        }

        _buffer.Append('"');
        foreach (var c in value)
        {
            _buffer.Append(c);
            if (c == '"')
            {
                _buffer.Append('"');
            }
        }

        _buffer.Append('"');
    }

    /// <summary>A number with <paramref name="decimals"/> fixed decimals (0 to 4), never <c>-0.00</c>.</summary>
    public void Number(double value, int decimals)
    {
        Separate();
        var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        if (rounded == 0)
        {
            rounded = 0;
        }

        Span<char> text = stackalloc char[64];
        rounded.TryFormat(text, out var written, FixedFormats[decimals], CultureInfo.InvariantCulture);
        _buffer.Append(text[..written]);
    }

    public void Integer(int value)
    {
        Separate();
        Span<char> text = stackalloc char[16];
        value.TryFormat(text, out var written, default, CultureInfo.InvariantCulture);
        _buffer.Append(text[..written]);
    }

    public void Boolean(bool value)
    {
        Separate();
        _buffer.Append(value ? "true" : "false");
    }

    public void EndRow()
    {
        _buffer.Append('\n');
        _inRow = false;
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        await _writer.WriteAsync(_buffer, ct);
        _buffer.Clear();
    }

    public async Task CompleteAsync(CancellationToken ct)
    {
        await FlushAsync(ct);
        await _writer.FlushAsync(ct);
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    private void Separate()
    {
        if (_inRow)
        {
            _buffer.Append(',');
        }

        _inRow = true;
    }
}
