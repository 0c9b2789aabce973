using MlOps.Learning.Features;

namespace MlOps.Images.Embedding;

/// <summary>
/// The platform's picture encoder as the trainer and the server hold it: ResNet18 loaded on first use (about 0.3 s and
/// 100 MB, so a service that never sees a picture pays nothing), shared by every caller (ONNX Runtime runs a session
/// from several threads), with embeddings kept on disk by picture when <see cref="ImageEncoderOptions.CacheDirectory"/>
/// is set. A picture that cannot be used gets its reason instead of a vector; the others are still embedded.
/// </summary>
public sealed class ImageEmbedder : IDisposable
{
    private readonly ImageEncoderOptions _options;
    private readonly Lazy<ResNet18Encoder> _encoder;
    private readonly Lazy<EmbeddingCache?> _cache;

    public ImageEmbedder(ImageEncoderOptions options)
    {
        _options = options;
        _encoder = new(() => new ResNet18Encoder(options), LazyThreadSafetyMode.ExecutionAndPublication);
        _cache = new(
            () => string.IsNullOrWhiteSpace(options.CacheDirectory) ? null : new EmbeddingCache(_encoder.Value, options.CacheDirectory),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>What this embedder's vectors are: the encoder's name, its weights' SHA-256 and 512 dimensions.</summary>
    public ImageEncoding Encoding => new(ResNet18Encoder.Name, _encoder.Value.ModelSha256, ResNet18Encoder.Dimensions);

    /// <summary>One outcome a picture, in order.</summary>
    public EmbeddedPicture[] Embed(IReadOnlyList<byte[]> pictures, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pictures);
        var outcomes = new EmbeddedPicture[pictures.Count];
        var usable = new List<int>(pictures.Count);
        for (var i = 0; i < pictures.Count; i++)
        {
            usable.Add(i);
        }

        try
        {
            Run(pictures, usable, outcomes, cancellationToken);
        }
        catch (ImageFormatException)
        {
            // Some picture is bad: find which by decoding each, and embed the rest.
            usable.Clear();
            for (var i = 0; i < pictures.Count; i++)
            {
                try
                {
                    ImageDecoder.Inspect(pictures[i], _options.Limits);
                    usable.Add(i);
                }
                catch (ImageFormatException bad)
                {
                    outcomes[i] = new EmbeddedPicture(null, bad.Message);
                }
            }

            Run(pictures, usable, outcomes, cancellationToken);
        }

        return outcomes;
    }

    public void Dispose()
    {
        if (_encoder.IsValueCreated)
        {
            _encoder.Value.Dispose();
        }
    }

    private void Run(IReadOnlyList<byte[]> pictures, List<int> usable, EmbeddedPicture[] outcomes, CancellationToken cancellationToken)
    {
        if (usable.Count == 0)
        {
            return;
        }

        byte[][] batch = [.. usable.Select(i => pictures[i])];
        var vectors = _cache.Value?.Embed(batch, cancellationToken) ?? _encoder.Value.Embed(batch, cancellationToken);
        for (var j = 0; j < usable.Count; j++)
        {
            outcomes[usable[j]] = new EmbeddedPicture(vectors[j], null);
        }
    }
}
