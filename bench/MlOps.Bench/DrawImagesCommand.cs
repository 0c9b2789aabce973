using System.CommandLine;
using SkiaSharp;

namespace MlOps.Bench;

/// <summary>
/// <c>draw-images --count N --width W --height H --seed S --out DIR</c>: N seeded JPEG pictures (a background, a disc, a
/// bar, noise) for the image benchmarks, the same files for every implementation.
/// </summary>
internal static class DrawImagesCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "Pictures to draw.", Required = true };
        var width = new Option<int>("--width") { Description = "Pixels wide (default 320).", DefaultValueFactory = _ => 320 };
        var height = new Option<int>("--height") { Description = "Pixels high (default 240).", DefaultValueFactory = _ => 240 };
        var seed = new Option<int>("--seed") { Description = "Seed (default 1).", DefaultValueFactory = _ => 1 };
        var output = new Option<DirectoryInfo>("--out") { Description = "The folder to write image-0000.jpg … into.", Required = true };
        var command = new Command("draw-images", "Draw seeded JPEG pictures into a folder.") { count, width, height, seed, output };
        command.SetAction(result =>
        {
            var folder = result.GetValue(output)!;
            folder.Create();
            var random = new Random(result.GetValue(seed));
            for (var i = 0; i < result.GetValue(count); i++)
            {
                File.WriteAllBytes(Path.Combine(folder.FullName, $"image-{i:D4}.jpg"), Draw(random, result.GetValue(width), result.GetValue(height)));
            }

            return 0;
        });
        return command;
    }

    private static byte[] Draw(Random random, int width, int height)
    {
        SKColor Colour() => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { IsAntialias = true })
        {
            canvas.Clear(Colour());
            paint.Color = Colour();
            canvas.DrawCircle((float)(random.NextDouble() * width), (float)(random.NextDouble() * height), (float)(20 + (random.NextDouble() * height / 2)), paint);
            paint.Color = Colour();
            canvas.DrawRect((float)(random.NextDouble() * width), (float)(random.NextDouble() * height), width / 3f, height / 8f, paint);
            for (var speck = 0; speck < 400; speck++)
            {
                paint.Color = Colour();
                canvas.DrawPoint((float)(random.NextDouble() * width), (float)(random.NextDouble() * height), paint);
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return encoded.ToArray();
    }
}
