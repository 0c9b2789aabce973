using System.IO.Compression;
using System.Text;
using SkiaSharp;

namespace MlOps.Learning.Tests.Profiling;

/// <summary>Zip archives built in memory for the tests, and small solid-colour pictures to put in them.</summary>
internal static class TestArchive
{
    public static MemoryStream Zip(params (string Path, byte[] Content)[] files)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content) in files)
            {
                using var entry = zip.CreateEntry(path).Open();
                entry.Write(content);
            }
        }

        stream.Position = 0;
        return stream;
    }

    public static (string, byte[]) Csv(string path, string text) => (path, Encoding.UTF8.GetBytes(text));

    public static byte[] Picture(int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(new SKColor((byte)(width * 7), (byte)(height * 3), 90));
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(format, 90);
        return encoded.ToArray();
    }
}
