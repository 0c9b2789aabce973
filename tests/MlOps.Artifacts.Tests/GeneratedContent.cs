namespace MlOps.Artifacts.Tests;

/// <summary>
/// A read-only, non-seekable stream of pseudo-random bytes made on the fly from a seed (never held in memory), which
/// can break with an <see cref="IOException"/> or cancel a token once it has produced a given number of bytes.
/// Two instances with the same seed produce the same bytes, whatever the read sizes.
/// </summary>
internal sealed class GeneratedContent(long length, ulong seed) : Stream
{
    private ulong _state = seed * 0x9E3779B97F4A7C15UL + 1;
    private ulong _word;
    private int _wordBytesLeft;
    private long _position;

    /// <summary>Throw an IOException on the first read at or past this many bytes.</summary>
    public long? BreakAt { get; init; }

    /// <summary>Cancel <see cref="Cancel"/> on the first read at or past this many bytes.</summary>
    public long? CancelAt { get; init; }

    public CancellationTokenSource? Cancel { get; init; }

    public const int MiB = 1024 * 1024;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= BreakAt)
        {
            throw new IOException($"The source broke after {_position} bytes.");
        }

        var count = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < count; i++)
        {
            if (_wordBytesLeft == 0)
            {
                // xorshift64*
                _state ^= _state >> 12;
                _state ^= _state << 25;
                _state ^= _state >> 27;
                _word = _state * 2685821657736338717UL;
                _wordBytesLeft = 8;
            }

            buffer[i] = (byte)_word;
            _word >>= 8;
            _wordBytesLeft--;
        }

        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= CancelAt)
        {
            Cancel?.Cancel();
        }

        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Reads both streams to their ends and fails at the first difference.</summary>
    public static async Task AssertSameBytesAsync(Stream expected, Stream actual)
    {
        var a = new byte[64 * 1024];
        var b = new byte[64 * 1024];
        long offset = 0;
        while (true)
        {
            var readA = await expected.ReadAtLeastAsync(a, a.Length, throwOnEndOfStream: false);
            var readB = await actual.ReadAtLeastAsync(b, b.Length, throwOnEndOfStream: false);
            Assert.True(readA == readB, $"Lengths differ near offset {offset}: expected {readA} more bytes, got {readB}.");
            if (!a.AsSpan(0, readA).SequenceEqual(b.AsSpan(0, readB)))
            {
                Assert.Fail($"Content differs in the block at offset {offset}.");
            }

            if (readA == 0)
            {
                return;
            }

            offset += readA;
        }
    }
}
