using System.Globalization;
using System.IO.Compression;
using System.Text;
using MlOps.Contracts.Datasets;
using MlOps.Learning.Training;
using SkiaSharp;

namespace MlOps.Learning.Generators;

/// <summary>
/// Catalogue entries with a picture (seed project: Rakuten product classification from text and images): a title, a
/// short description, a drawn picture and a price, in eight categories. Words, pictures and prices each point to the
/// category but overlap: with the overlap's chance a content word, and independently the picture's shape, colour and
/// texture, come from another category; so text alone and pictures alone each leave errors that the other can
/// correct. Written as a zip archive of <c>catalog.csv</c> and <c>images/NNNNNN.png</c>. Rule: <c>docs/generators.md</c>.
/// </summary>
internal sealed class ProductCatalogGenerator : IDatasetGenerator
{
    /// <summary>The pictures' side in pixels.</summary>
    public const int PictureSide = 128;

    public const string CsvName = "catalog.csv";

    /// <summary>The chance that the label is replaced by a uniformly drawn category.</summary>
    private const double LabelNoise = 0.03;

    /// <summary>Zip entries carry this time, so the same request gives the same bytes.</summary>
    private static readonly DateTimeOffset EntryTime = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly ProductVocabulary.Category[] Categories = ProductVocabulary.Categories;

    /// <summary>Typical price per category; a product's price is this times 1 + 0.35·z, at least 1.</summary>
    private static readonly double[] TypicalPrices = [80, 45, 30, 40, 25, 18, 35, 30];

    private static readonly string[] Backgrounds = ["white", "light-grey", "beige", "light-blue", "dark-grey"];

    private static readonly SKColor[] BackgroundColours =
        [new(250, 250, 250), new(215, 215, 215), new(235, 225, 200), new(205, 225, 245), new(70, 70, 75)];

    private static readonly DriftableFeature[] DriftableFeatures =
    [
        DriftableFeature.Categorical("category", Categories.Select(c => c.Name).ToArray(), [.. Categories.Select(_ => 1.0)]),
        DriftableFeature.Categorical("background", Backgrounds, [0.6, 0.2, 0.15, 0.05, 0]),
        DriftableFeature.Numeric("brightness", 1, 0.05),
    ];

    public string Name => "product-catalog";

    public string Target => "category";

    public LearningTask Task => LearningTask.MulticlassClassification;

    public string Description =>
        $"Product catalogue entries with a drawn picture: a title, a description, an image and a price; predict the category, one of {Categories.Length} "
        + "(multiclass from text, images and a number; a zip of a CSV and its PNG pictures).";

    public string Format => DatasetFormats.Zip;

    /// <summary>Pictures take about 2 KB each, so 100,000 rows make an archive of about 200 MB.</summary>
    public int MaxRows => 100_000;

    /// <summary>The chance that a content word, or one of the picture's shape, colour and texture, comes from another category.</summary>
    public double? DefaultOverlap => 0.5;

    public async Task WriteAsync(Stream output, GeneratorRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(request);
        var overlap = request.Validate(this);
        var drift = FeatureDrift.Create(Name, DriftableFeatures, request.Drift);
        var categories = drift.Categorical("category");
        var backgrounds = drift.Categorical("background");
        var brightness = drift.Numeric("brightness");
        var random = new GeneratorRandom(request.Seed);

        // The CSV is written last, from memory (about 150 bytes a row): a zip takes one entry at a time, and the pictures stream.
        using var table = new MemoryStream();
        await using (var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
        {
            await using (var csv = new CsvRowWriter(table))
            {
                foreach (var column in (string[])["title", "description", "image", "price", "category"])
                {
                    csv.Text(column);
                }

                csv.EndRow();
                using var picture = new ProductPicture(PictureSide);
                var description = new StringBuilder(128);
                for (var row = 0; row < request.Rows; row++)
                {
                    var category = categories.Sample(random);
                    var title = Title(random, category, overlap);
                    Describe(description, random, category, overlap);
                    var shape = Source(random, category, overlap);
                    var colour = Source(random, category, overlap);
                    var texture = Source(random, category, overlap);
                    var background = BackgroundColours[backgrounds.Sample(random)];
                    var light = Math.Max(0.2, brightness.Apply(1 + (0.05 * random.NextNormal())));
                    var png = picture.Draw(random, shape, colour, texture, background, light);
                    var price = Math.Round(Math.Max(1, TypicalPrices[category] * (1 + (0.35 * random.NextNormal()))), 2);
                    var label = random.Chance(LabelNoise) ? random.NextInt(Categories.Length) : category;

                    var path = string.Create(CultureInfo.InvariantCulture, $"images/{row + 1:D6}.png");
                    var entry = zip.CreateEntry(path, CompressionLevel.NoCompression);
                    entry.LastWriteTime = EntryTime;
                    await using (var file = await entry.OpenAsync(ct))
                    {
                        await file.WriteAsync(png, ct);
                    }

                    csv.Text(title);
                    csv.Text(description.ToString());
                    csv.Text(path);
                    csv.Number(price, 2);
                    csv.Text(Categories[label].Name);
                    csv.EndRow();
                    if (csv.IsFull)
                    {
                        await csv.FlushAsync(ct);
                    }
                }

                await csv.CompleteAsync(ct);
            }

            var csvEntry = zip.CreateEntry(CsvName, CompressionLevel.Optimal);
            csvEntry.LastWriteTime = EntryTime;
            table.Position = 0;
            await using var csvFile = await csvEntry.OpenAsync(ct);
            await table.CopyToAsync(csvFile, ct);
        }

        await output.FlushAsync(ct);
    }

    private static string Title(GeneratorRandom random, int category, double overlap)
    {
        var noun = Categories[Source(random, category, overlap)].Nouns[random.NextInt(10)];
        var model = random.NextInt(900) + 100;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{random.Pick(ProductVocabulary.Brands)} {ProductVocabulary.Capitalized(random.Pick(ProductVocabulary.Fillers))} {noun} {(char)('A' + random.NextInt(26))}{model}");
    }

    /// <summary>One sentence of six words: content words at places 2 and 4, fillers around them.</summary>
    private static void Describe(StringBuilder text, GeneratorRandom random, int category, double overlap)
    {
        text.Clear();
        for (var word = 0; word < 6; word++)
        {
            var content = word is 1 or 3;
            var value = content
                ? Categories[Source(random, category, overlap)].Words[random.NextInt(12)]
                : ProductVocabulary.Fillers[random.NextInt(ProductVocabulary.Fillers.Length)];
            if (word == 0)
            {
                text.Append(ProductVocabulary.Capitalized(value));
            }
            else
            {
                text.Append(' ').Append(value);
            }
        }

        text.Append('.');
    }

    /// <summary>The category a trait comes from: the product's own, or with the overlap's chance another one (two draws either way).</summary>
    private static int Source(GeneratorRandom random, int category, double overlap)
    {
        var stray = random.Chance(overlap);
        var other = random.NextInt(Categories.Length - 1);
        return stray ? (other >= category ? other + 1 : other) : category;
    }
}
