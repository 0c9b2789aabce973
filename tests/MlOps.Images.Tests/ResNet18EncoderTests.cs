using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkiaSharp;
using MlOps.Images.Embedding;

namespace MlOps.Images.Tests;

public sealed class ResNet18EncoderTests
{
    private static readonly string Models = Path.Combine(AppContext.BaseDirectory, "DnnImageModels");

    [Fact]
    public void An_image_embeds_as_the_shipped_graphs_compute_it_one_after_the_other()
    {
        var png = DrawnImages.Draw(ResNet18Encoder.Side, ResNet18Encoder.Side, SKColors.SkyBlue, SKColors.OrangeRed);
        using var encoder = new ResNet18Encoder();

        var ours = Assert.Single(encoder.Embed([png]));
        var shipped = ShippedGraphs(DrawnImages.RgbPlanes(png));

        Assert.Equal(ResNet18Encoder.Dimensions, ours.Length);
        Assert.All(ours, value => Assert.True(float.IsFinite(value)));
        var scale = shipped.Max(Math.Abs);
        Assert.True(scale > 0);
        for (var i = 0; i < ours.Length; i++)
        {
            Assert.True(Math.Abs(ours[i] - shipped[i]) <= 1e-4 * scale, $"dimension {i}: ours {ours[i]}, shipped {shipped[i]}");
        }
    }

    [Fact]
    public void Batches_of_any_size_embed_as_one_image_at_a_time()
    {
        byte[][] images =
        [
            DrawnImages.Draw(300, 200, SKColors.White, SKColors.DarkGreen, SKEncodedImageFormat.Jpeg),
            DrawnImages.Draw(120, 160, SKColors.Black, SKColors.Yellow),
            DrawnImages.Draw(224, 224, SKColors.Gray, SKColors.Purple),
            DrawnImages.Draw(640, 480, SKColors.Beige, SKColors.Navy, SKEncodedImageFormat.Jpeg),
            DrawnImages.Draw(50, 50, SKColors.Pink, SKColors.Teal),
        ];
        using var byTwo = new ResNet18Encoder(new ImageEncoderOptions { BatchSize = 2 });
        using var byOne = new ResNet18Encoder(new ImageEncoderOptions { BatchSize = 1 });

        var batched = byTwo.Embed(images);
        var single = byOne.Embed(images);

        Assert.Equal(images.Length, batched.Length);
        for (var image = 0; image < images.Length; image++)
        {
            var scale = single[image].Max(Math.Abs);
            for (var i = 0; i < ResNet18Encoder.Dimensions; i++)
            {
                Assert.True(Math.Abs(batched[image][i] - single[image][i]) <= 1e-4 * scale, $"image {image}, dimension {i}");
            }
        }

        // Different pictures are far apart; the same picture is the same embedding.
        Assert.True(Distance(single[0], single[1]) > 0.05 * Norm(single[0]));
        Assert.Equal(single[2], byOne.Embed([images[2]])[0]);
    }

    [Fact]
    public void Images_that_cannot_be_used_are_refused_with_what_is_wrong_and_which_one()
    {
        var png = DrawnImages.Draw(224, 224, SKColors.White, SKColors.Red);
        using var encoder = new ResNet18Encoder(new ImageEncoderOptions { Limits = new ImageLimits(MaxBytes: 200_000, MaxSide: 1_000) });

        Assert.Contains("empty", Refusal(encoder, []), StringComparison.Ordinal);
        Assert.Contains("not an image", Refusal(encoder, "hello, world"u8.ToArray()), StringComparison.Ordinal);
        Assert.Contains("truncated", Refusal(encoder, png[..(png.Length / 2)]), StringComparison.Ordinal);
        Assert.Contains("each side may have at most 1,000", Refusal(encoder, DrawnImages.Draw(1_200, 100, SKColors.White, SKColors.Red)), StringComparison.Ordinal);
        Assert.Contains("at most 200,000 are accepted", Refusal(encoder, new byte[300_000]), StringComparison.Ordinal);

        var second = Assert.Throws<ImageFormatException>(() => encoder.Embed([png, [1, 2, 3]]));
        Assert.StartsWith("Image 1:", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_folder_is_named()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => new ResNet18Encoder(new ImageEncoderOptions { ModelDirectory = "/nowhere" }));

        Assert.Contains("/nowhere", missing.Message, StringComparison.Ordinal);
    }

    private static string Refusal(ResNet18Encoder encoder, byte[] image) =>
        Assert.Throws<ImageFormatException>(() => encoder.Embed([image])).Message;

    /// <summary>The package's two graphs as shipped (batch of 1): RGB planes → preprocessing → ResNet18.</summary>
    private static float[] ShippedGraphs(float[] rgbPlanes)
    {
        using var preprocess = new InferenceSession(Path.Combine(Models, "ResNetPrepOnnx", "ResNetPreprocess.onnx"));
        using var resnet = new InferenceSession(Path.Combine(Models, "ResNet18Onnx", "ResNet18.onnx"));
        var shape = new[] { 1, 3, ResNet18Encoder.Side, ResNet18Encoder.Side };
        using var prepared = preprocess.Run([NamedOnnxValue.CreateFromTensor(preprocess.InputMetadata.Keys.Single(), new DenseTensor<float>(rgbPlanes, shape))]);
        var planes = prepared.Single().AsTensor<float>().ToArray();
        using var embedded = resnet.Run([NamedOnnxValue.CreateFromTensor(resnet.InputMetadata.Keys.Single(), new DenseTensor<float>(planes, shape))]);
        return embedded.Single().AsTensor<float>().ToArray();
    }

    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());

    private static double Norm(float[] a) => Math.Sqrt(a.Sum(x => (double)x * x));
}
