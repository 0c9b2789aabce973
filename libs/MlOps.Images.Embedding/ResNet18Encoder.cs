using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace MlOps.Images.Embedding;

/// <summary>
/// Embeds images as 512 floats each with the pretrained ResNet18 (ImageNet) that ships in
/// Microsoft.ML.DnnImageFeaturizer.ResNet18, run by ONNX Runtime: each image is decoded, scaled so its shorter side is
/// 224 pixels and cropped to the centre square (ML.NET's iso-crop), its B, G and R planes less the model's mean image
/// fed to the graph, a batch of images a run. One encoder serves many callers at once (ONNX Runtime's runs are
/// thread-safe); dispose it to free the session.
/// </summary>
public sealed class ResNet18Encoder : IDisposable
{
    /// <summary>Floats an embedding has.</summary>
    public const int Dimensions = 512;

    /// <summary>Pixels a side of the square the graph takes.</summary>
    public const int Side = 224;

    private const int PlanePixels = Side * Side;
    private const int ImageValues = 3 * PlanePixels;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly float[] _meanImage;
    private readonly ImageEncoderOptions _options;

    public ResNet18Encoder(ImageEncoderOptions? options = null)
    {
        _options = options ?? new ImageEncoderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BatchSize, 1, nameof(options));
        _meanImage = ResNet18Graph.MeanImage(_options.ModelDirectory);
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = _options.IntraOpThreads, InterOpNumThreads = 1 };
        var (graph, fileSha256) = ResNet18Graph.EncoderWithAnyBatch(_options.ModelDirectory);
        ModelSha256 = fileSha256;
        _session = new InferenceSession(graph, sessionOptions);
        _inputName = _session.InputMetadata.Keys.Single();
        _outputName = _session.OutputMetadata.Keys.Single();
    }

    /// <summary>The encoder's name, as a model version records it.</summary>
    public const string Name = "resnet18-imagenet";

    /// <summary>The SHA-256 (hex) of the graph file as shipped: which weights made an embedding.</summary>
    public string ModelSha256 { get; }

    /// <summary>One embedding an image, in order.</summary>
    /// <exception cref="ImageFormatException">An image cannot be decoded or is over the limits; the message names its index.</exception>
    public float[][] Embed(IReadOnlyList<byte[]> images, CancellationToken cancellationToken = default)
    {
        var embeddings = new float[images.Count][];
        var batch = new float[Math.Min(_options.BatchSize, Math.Max(images.Count, 1)) * ImageValues];
        for (var start = 0; start < images.Count; start += _options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var size = Math.Min(_options.BatchSize, images.Count - start);
            for (var i = 0; i < size; i++)
            {
                try
                {
                    Fill(images[start + i], batch.AsSpan(i * ImageValues, ImageValues));
                }
                catch (ImageFormatException invalid)
                {
                    throw new ImageFormatException($"Image {start + i}: {invalid.Message}");
                }
            }

            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch.AsMemory(0, size * ImageValues), [size, 3, Side, Side]);
            using var outputs = _session.Run(_runOptions, [_inputName], [input], [_outputName]);
            var values = outputs[0].GetTensorDataAsSpan<float>();
            for (var i = 0; i < size; i++)
            {
                embeddings[start + i] = values.Slice(i * Dimensions, Dimensions).ToArray();
            }
        }

        return embeddings;
    }

    /// <summary>One image's three planes (B, G, R, 0–255 less the mean image) into <paramref name="planes"/>.</summary>
    private void Fill(byte[] image, Span<float> planes)
    {
        using var decoded = ImageDecoder.Decode(image, _options.Limits);
        using var square = new SKBitmap(new SKImageInfo(Side, Side, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(square))
        using (var source = SKImage.FromBitmap(decoded))
        {
            var shorter = Math.Min(decoded.Width, decoded.Height);
            var crop = SKRect.Create((decoded.Width - shorter) / 2f, (decoded.Height - shorter) / 2f, shorter, shorter);
            canvas.Clear(SKColors.Black);
            canvas.DrawImage(source, crop, SKRect.Create(Side, Side), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }

        var pixels = square.GetPixelSpan();
        var mean = _meanImage.AsSpan();
        for (var pixel = 0; pixel < PlanePixels; pixel++)
        {
            var rgba = pixels.Slice(pixel * 4, 4);
            planes[pixel] = rgba[2] - mean[pixel];
            planes[PlanePixels + pixel] = rgba[1] - mean[PlanePixels + pixel];
            planes[(2 * PlanePixels) + pixel] = rgba[0] - mean[(2 * PlanePixels) + pixel];
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
