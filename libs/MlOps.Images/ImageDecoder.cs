using SkiaSharp;

namespace MlOps.Images;

/// <summary>Decodes PNG, JPEG, GIF, BMP and WebP images (SkiaSharp's codecs) into 8-bit RGBA bitmaps, within limits.</summary>
public static class ImageDecoder
{
    /// <summary>The image's pixels; the caller disposes them.</summary>
    /// <exception cref="ImageFormatException">The bytes are empty, too many, not an image we decode, or damaged.</exception>
    public static SKBitmap Decode(ReadOnlySpan<byte> bytes, ImageLimits limits) => Decode(bytes, limits, out _);

    /// <summary>
    /// The image's format and size, from decoding it whole (only a full decode finds a truncated or damaged file).
    /// </summary>
    /// <exception cref="ImageFormatException">The bytes are empty, too many, not an image we decode, or damaged.</exception>
    public static ImageInfo Inspect(ReadOnlySpan<byte> bytes, ImageLimits limits)
    {
        using var bitmap = Decode(bytes, limits, out var format);
        return new ImageInfo(format, bitmap.Width, bitmap.Height);
    }

    private static SKBitmap Decode(ReadOnlySpan<byte> bytes, ImageLimits limits, out string format)
    {
        if (bytes.IsEmpty)
        {
            throw new ImageFormatException("The image is empty.");
        }

        if (bytes.Length > limits.MaxBytes)
        {
            throw new ImageFormatException($"The image takes {bytes.Length:N0} bytes; at most {limits.MaxBytes:N0} are accepted.");
        }

        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new ImageFormatException("The bytes are not an image in a format we decode (PNG, JPEG, GIF, BMP, WebP).");
        var name = codec.EncodedFormat.ToString().ToUpperInvariant();
        if (codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Gif
            or SKEncodedImageFormat.Bmp or SKEncodedImageFormat.Webp))
        {
            throw new ImageFormatException($"The image is {name}; we take PNG, JPEG, GIF, BMP and WebP.");
        }

        format = codec.EncodedFormat.ToString().ToLowerInvariant();
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0 || width > limits.MaxSide || height > limits.MaxSide)
        {
            throw new ImageFormatException($"The image is {width}×{height} pixels; each side may have at most {limits.MaxSide:N0}.");
        }

        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var result = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new ImageFormatException(result == SKCodecResult.IncompleteInput
                ? $"The {name} image is truncated."
                : $"The {name} image is damaged ({result}).");
        }

        return bitmap;
    }
}
