using SkiaSharp;

namespace MlOps.Images.Tests;

/// <summary>Images drawn for the tests: a coloured background and a shape, encoded as PNG or JPEG.</summary>
internal static class DrawnImages
{
    public static byte[] Draw(int width, int height, SKColor background, SKColor shape, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = shape, IsAntialias = true })
        {
            canvas.Clear(background);
            canvas.DrawCircle(width / 2f, height / 2f, Math.Min(width, height) / 3f, paint);
            paint.Color = shape.WithAlpha(128);
            canvas.DrawRect(width / 10f, height / 10f, width / 4f, height / 5f, paint);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(format, 90);
        return encoded.ToArray();
    }

    /// <summary>The decoded image's R, G and B planes as 0–255 floats (the layout the shipped preprocessing graph takes).</summary>
    public static float[] RgbPlanes(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png).Copy(SKColorType.Rgba8888);
        var planes = new float[3 * bitmap.Width * bitmap.Height];
        var plane = bitmap.Width * bitmap.Height;
        var pixels = bitmap.GetPixelSpan();
        for (var pixel = 0; pixel < plane; pixel++)
        {
            planes[pixel] = pixels[pixel * 4];
            planes[plane + pixel] = pixels[(pixel * 4) + 1];
            planes[(2 * plane) + pixel] = pixels[(pixel * 4) + 2];
        }

        return planes;
    }
}
