using System.Buffers;
using System.Security.Cryptography;

namespace MlOps.Artifacts;

/// <summary>Reads a stream in chunks, hashing every byte on its way through.</summary>
internal static class HashingCopy
{
    public const int ChunkSize = 128 * 1024;

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/>; returns the byte count and SHA-256 hex.</summary>
    public static async Task<(long Size, string Sha256)> CopyAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long size = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, ChunkSize), cancellationToken)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                size += read;
            }

            cancellationToken.ThrowIfCancellationRequested();
            return (size, Hex(hash));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Hashes a stream to its end.</summary>
    public static Task<(long Size, string Sha256)> HashAsync(Stream source, CancellationToken cancellationToken) =>
        CopyAsync(source, Stream.Null, cancellationToken);

    /// <summary>
    /// Fills <paramref name="buffer"/> from <paramref name="source"/> (hashing what it reads) until it is full or the
    /// stream ends. Returns how many bytes it holds and whether the stream has ended.
    /// </summary>
    public static async Task<(int Count, bool Ended)> FillAsync(
        Stream source, byte[] buffer, int capacity, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var count = 0;
        while (count < capacity)
        {
            var read = await source.ReadAsync(buffer.AsMemory(count, Math.Min(ChunkSize, capacity - count)), cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (read == 0)
            {
                return (count, true);
            }

            hash.AppendData(buffer, count, read);
            count += read;
        }

        return (count, false);
    }

    public static string Hex(IncrementalHash hash) => Convert.ToHexStringLower(hash.GetHashAndReset());
}
