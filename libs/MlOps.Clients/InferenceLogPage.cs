using System.Buffers;

namespace MlOps.Clients;

/// <summary>
/// One page of serving's inference-log export held whole: its NDJSON bytes (in a pooled buffer, returned on dispose)
/// and how many of its lines belong to the window asked for (a <c>last=N</c> window may end inside a page).
/// </summary>
public sealed class InferenceLogPage : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    internal InferenceLogPage(byte[] buffer, int length, int lines, int linesInWindow)
    {
        _buffer = buffer;
        _length = length;
        Lines = lines;
        LinesInWindow = linesInWindow;
    }

    /// <summary>The page's lines (serving's export, one JSON object a line).</summary>
    public ReadOnlySpan<byte> Ndjson => _buffer is null ? throw new ObjectDisposedException(nameof(InferenceLogPage)) : _buffer.AsSpan(0, _length);

    public int Lines { get; }

    /// <summary>The first this many lines are in the window.</summary>
    public int LinesInWindow { get; }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
