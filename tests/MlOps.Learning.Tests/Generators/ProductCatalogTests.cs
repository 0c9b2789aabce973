using System.IO.Compression;
using MlOps.Learning.Data;
using MlOps.Learning.Generators;
using MlOps.Learning.Profiling;
using SkiaSharp;

namespace MlOps.Learning.Tests.Generators;

public sealed class ProductCatalogTests
{
    /// <summary>The CSV of a generated dataset: the bytes themselves, or an archive's CSV entry.</summary>
    public static byte[] CsvOf(byte[] generated)
    {
        if (!DatasetArchive.IsArchive(generated))
        {
            return generated;
        }

        using var zip = new ZipArchive(new MemoryStream(generated), ZipArchiveMode.Read);
        using var csv = zip.GetEntry(ProductCatalogGenerator.CsvName)!.Open();
        using var copy = new MemoryStream();
        csv.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public void The_archive_holds_the_csv_and_one_picture_a_row_that_the_profiler_accepts()
    {
        var bytes = Generated.Bytes("product-catalog", 300, seed: 5);
        using var archive = DatasetArchive.Open(new MemoryStream(bytes), new ArchiveLimits());

        var profile = ArchiveProfiler.Profile(archive);

        Assert.Equal("catalog.csv", archive.CsvPath);
        Assert.Equal(300, profile.Rows);
        Assert.Equal(["text", "text", "image", "numeric", "categorical"], profile.Columns.Select(c => c.Type));
        var images = profile.Columns[2].Image!;
        Assert.Equal(300, images.Decoded);
        Assert.Equal([new Contracts.Datasets.CategoryCount("png", 300)], images.Formats);
        Assert.Equal((128, 128), (images.Width!.Min, images.Height!.Max));
        Assert.Equal(300, profile.Columns[2].Distinct);
        Assert.Equal(8, profile.Columns[4].Distinct);
    }

    /// <summary>The table is pinned (the pictures are checked for repeatability by the output tests: their pixels come from SkiaSharp).</summary>
    [Fact]
    public void The_csv_of_a_seed_is_pinned()
    {
        var actual = Generated.Sha256(CsvOf(Generated.Bytes("product-catalog", 1_000, seed: 7)));

        Assert.True(actual == "9E32CE31764736A006B1D1328E1C4C9B47E02925BA7DA4A1FAF99FAD6DD0D346", $"The SHA-256 of product-catalog's CSV for seed 7 is {actual}.");
    }

    [Fact]
    public void Overlap_sets_how_often_a_title_names_a_product_of_another_category()
    {
        static double OwnNouns(double overlap)
        {
            var table = Generated.Table("product-catalog", 2_000, seed: 3, overlap: overlap);
            var titles = ((TextColumn)table["title"]).Values;
            var labels = (CategoricalColumn)table["category"];
            var own = 0;
            for (var row = 0; row < titles.Length; row++)
            {
                var category = ProductVocabulary.Categories.Single(c => c.Name == labels.ValueAt(row));
                own += category.Nouns.Any(noun => titles[row]!.Contains(noun, StringComparison.Ordinal)) ? 1 : 0;
            }

            return (double)own / titles.Length;
        }

        Assert.InRange(OwnNouns(0), 0.95, 1.0);     // only the 3% of redrawn labels miss
        Assert.InRange(OwnNouns(0.5), 0.45, 0.60);
        Assert.InRange(OwnNouns(1), 0.0, 0.05);
    }

    [Fact]
    public void A_darker_photo_style_drifts_the_pictures_and_leaves_the_table()
    {
        var plain = Generated.Bytes("product-catalog", 200, seed: 9);
        var dark = Generated.Bytes("product-catalog", 200, seed: 9, new Dictionary<string, DriftSpec>
        {
            ["brightness"] = new(MeanShift: -6),
            ["background"] = new(CategoryMix: new Dictionary<string, double> { ["dark-grey"] = 1 }),
        });

        Assert.Equal(CsvOf(plain), CsvOf(dark));
        Assert.InRange(MeanLuminance(dark), 0, 0.6 * MeanLuminance(plain));
    }

    [Fact]
    public void Overlap_and_rows_are_checked()
    {
        var generator = Generated.Generator("product-catalog");

        Assert.Equal(100_000, generator.MaxRows);
        Assert.Equal(0.5, generator.DefaultOverlap);
        Assert.Contains("between 1 and 100,000 rows", Assert.Throws<ArgumentOutOfRangeException>(() => Generated.Bytes("product-catalog", 100_001, 1)).Message);
        Assert.Contains("from 0 to 1, not 1.5", Assert.Throws<ArgumentOutOfRangeException>(() => Generated.Bytes("product-catalog", 10, 1, overlap: 1.5)).Message);
        Assert.Equal(
            "The 'cart-abandonment' generator has no overlap setting. (Parameter 'Overlap')",
            Assert.Throws<ArgumentException>(() => Generated.Bytes("cart-abandonment", 10, 1, overlap: 0.2)).Message);
    }

    private static double MeanLuminance(byte[] generated)
    {
        using var zip = new ZipArchive(new MemoryStream(generated), ZipArchiveMode.Read);
        double sum = 0;
        long pixels = 0;
        foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".png", StringComparison.Ordinal)))
        {
            using var content = entry.Open();
            using var bitmap = SKBitmap.Decode(content);
            foreach (var pixel in bitmap.Pixels)
            {
                sum += (0.299 * pixel.Red) + (0.587 * pixel.Green) + (0.114 * pixel.Blue);
                pixels++;
            }
        }

        return sum / pixels;
    }
}
