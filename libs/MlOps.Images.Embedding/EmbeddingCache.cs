using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace MlOps.Images.Embedding;

/// <summary>
/// Embeddings kept on disk by the SHA-256 of the image's bytes and of the encoder's weights, so embedding the same
/// pictures again (a retraining, a second model on the same dataset) reads them instead of running the network. A
/// file a picture, <c>{root}/{encoder sha}/{first two hex digits}/{image sha}.f32</c> (512 little-endian floats),
/// written to a temporary name and moved into place, so concurrent writers never leave half a file. A file of the
/// wrong length is embedded again and rewritten.
/// </summary>
public sealed class EmbeddingCache(ResNet18Encoder encoder, string root)
{
    private const int Bytes = ResNet18Encoder.Dimensions * sizeof(float);

    private readonly string _root = string.IsNullOrWhiteSpace(root) ? throw new ArgumentException("The cache needs a folder.", nameof(root)) : root;

    /// <summary>Pictures this cache had to embed (not found on disk) since it was made.</summary>
    public long Embedded => Interlocked.Read(ref _embedded);

    private long _embedded;

    /// <summary>One embedding an image, in order: read where cached, embedded in one batch where not, and then kept.</summary>
    public float[][] Embed(IReadOnlyList<byte[]> images, CancellationToken cancellationToken = default)
    {
        var embeddings = new float[images.Count][];
        var missing = new List<int>();
        var paths = new string[images.Count];
        for (var i = 0; i < images.Count; i++)
        {
            paths[i] = PathOf(images[i]);
            embeddings[i] = Read(paths[i])!;
            if (embeddings[i] is null)
            {
                missing.Add(i);
            }
        }

        if (missing.Count == 0)
        {
            return embeddings;
        }

        var fresh = encoder.Embed([.. missing.Select(i => images[i])], cancellationToken);
        Interlocked.Add(ref _embedded, missing.Count);
        for (var j = 0; j < missing.Count; j++)
        {
            embeddings[missing[j]] = fresh[j];
            Write(paths[missing[j]], fresh[j]);
        }

        return embeddings;
    }

    private string PathOf(byte[] image)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(image));
        return Path.Combine(_root, encoder.ModelSha256, sha[..2], sha + ".f32");
    }

    private static float[]? Read(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            return bytes.Length == Bytes ? MemoryMarshal.Cast<byte, float>(bytes).ToArray() : null;
        }
        catch (Exception missing) when (missing is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static void Write(string path, float[] embedding)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temporary, MemoryMarshal.AsBytes(embedding.AsSpan()).ToArray());
        File.Move(temporary, path, overwrite: true);
    }
}
