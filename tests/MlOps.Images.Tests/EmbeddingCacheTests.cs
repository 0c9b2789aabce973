using System.Security.Cryptography;
using SkiaSharp;
using MlOps.Images.Embedding;

namespace MlOps.Images.Tests;

public sealed class EmbeddingCacheTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mlops-embeddings-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Pictures_seen_before_are_read_not_embedded_and_equal_a_fresh_embedding()
    {
        var a = DrawnImages.Draw(200, 150, SKColors.White, SKColors.Red);
        var b = DrawnImages.Draw(150, 200, SKColors.Black, SKColors.Cyan, SKEncodedImageFormat.Jpeg);
        var c = DrawnImages.Draw(224, 224, SKColors.Olive, SKColors.Snow);
        using var encoder = new ResNet18Encoder();
        var cache = new EmbeddingCache(encoder, _root);

        var first = cache.Embed([a, b]);
        Assert.Equal(2, cache.Embedded);
        var second = cache.Embed([b, a, c]);

        Assert.Equal(3, cache.Embedded);
        var fresh = encoder.Embed([a, b, c]);
        Assert.Equal(fresh[1], second[0]);
        Assert.Equal(fresh[0], second[1]);
        Assert.Equal(fresh[2], second[2]);
        Assert.Equal(first[0], second[1]);

        // Another cache on the same folder (a retraining in another process) reads them too.
        var later = new EmbeddingCache(encoder, _root);
        Assert.Equal(fresh[2], later.Embed([c])[0]);
        Assert.Equal(0, later.Embedded);
    }

    [Fact]
    public void Files_are_named_by_the_encoders_weights_and_the_picture_and_a_damaged_one_is_embedded_again()
    {
        var picture = DrawnImages.Draw(100, 100, SKColors.Gold, SKColors.Indigo);
        using var encoder = new ResNet18Encoder();
        var shipped = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"))));
        var cache = new EmbeddingCache(encoder, _root);
        var embedding = cache.Embed([picture])[0];

        Assert.Equal(shipped, encoder.ModelSha256);
        var sha = Convert.ToHexStringLower(SHA256.HashData(picture));
        var file = Path.Combine(_root, shipped, sha[..2], sha + ".f32");
        Assert.Equal(ResNet18Encoder.Dimensions * sizeof(float), new FileInfo(file).Length);
        Assert.Empty(Directory.GetFiles(_root, "*.tmp", SearchOption.AllDirectories));

        File.WriteAllBytes(file, [1, 2, 3]);
        Assert.Equal(embedding, cache.Embed([picture])[0]);
        Assert.Equal(2, cache.Embedded);
        Assert.Equal(ResNet18Encoder.Dimensions * sizeof(float), new FileInfo(file).Length);
    }

    [Fact]
    public void A_cache_needs_a_folder() =>
        Assert.Throws<ArgumentException>(() => new EmbeddingCache(null!, " "));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
