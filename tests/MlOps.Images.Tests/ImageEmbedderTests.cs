using System.IO.Compression;
using System.Text;
using MlOps.Images.Embedding;
using MlOps.Learning.Data;
using SkiaSharp;

namespace MlOps.Images.Tests;

public sealed class ImageEmbedderTests
{
    private static readonly byte[] Red = DrawnImages.Draw(120, 90, SKColors.White, SKColors.Red);
    private static readonly byte[] Blue = DrawnImages.Draw(90, 120, SKColors.Black, SKColors.Blue, SKEncodedImageFormat.Jpeg);

    [Fact]
    public void A_bad_picture_gets_its_reason_and_the_others_their_vectors()
    {
        using var embedder = new ImageEmbedder(new ImageEncoderOptions());
        using var encoder = new ResNet18Encoder();

        var outcomes = embedder.Embed([Red, Red[..(Red.Length / 2)], Blue]);

        Assert.Equal(encoder.Embed([Red])[0], outcomes[0].Vector);
        Assert.Null(outcomes[1].Vector);
        Assert.Equal("The PNG image is truncated.", outcomes[1].Error);
        Assert.Equal(encoder.Embed([Blue])[0], outcomes[2].Vector);
        Assert.Equal(new Learning.Features.ImageEncoding("resnet18-imagenet", encoder.ModelSha256, 512), embedder.Encoding);
    }

    [Fact]
    public void An_archive_reads_as_a_table_whose_image_column_holds_each_rows_vector()
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content) in new[]
            {
                ("data/rows.csv", Encoding.UTF8.GetBytes("photo,n\npics/red.png,1\npics/blue.jpg,2\n,3\npics/red.png,4\npics/cut.png,5\n")),
                ("data/pics/red.png", Red),
                ("data/pics/blue.jpg", Blue),
                ("data/pics/cut.png", Red[..100]),
            })
            {
                using var entry = archive.CreateEntry(path).Open();
                entry.Write(content);
            }
        }

        zip.Position = 0;
        using var dataset = DatasetArchive.Open(zip, new ArchiveLimits());
        using var embedder = new ImageEmbedder(new ImageEncoderOptions());
        var reported = new List<(int, int)>();

        var table = ArchiveTables.Read(
            dataset, new Dictionary<string, ColumnType> { ["photo"] = ColumnType.Image, ["n"] = ColumnType.Numeric }, embedder, (done, total) => reported.Add((done, total)));

        var photo = Assert.IsType<EmbeddingColumn>(table["photo"]);
        Assert.Equal([false, false, true, false, true], photo.Missing);
        var vectors = embedder.Embed([Red, Blue]);
        Assert.Equal(vectors[0].Vector, photo.VectorAt(0).ToArray());
        Assert.Equal(vectors[1].Vector, photo.VectorAt(1).ToArray());
        Assert.Equal(vectors[0].Vector, photo.VectorAt(3).ToArray());
        Assert.IsType<NumericColumn>(table["n"]);
        Assert.Equal([(3, 3)], reported);
    }
}
