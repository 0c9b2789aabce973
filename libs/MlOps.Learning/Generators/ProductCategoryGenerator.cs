using System.Globalization;
using System.Text;
using MlOps.Learning.Training;

namespace MlOps.Learning.Generators;

/// <summary>
/// Catalogue entries: a product designation and a short description, each content word taken from the product's
/// category vocabulary (or, sometimes, another category's) among shared filler words; a few labels are wrong on
/// purpose. Rule: <c>docs/generators.md</c>.
/// </summary>
internal sealed class ProductCategoryGenerator : SyntheticGenerator
{
    /// <summary>The chance that the label is replaced by a uniformly drawn category.</summary>
    private const double LabelNoise = 0.04;

    /// <summary>The first seven categories of <see cref="ProductVocabulary"/>, with their shares.</summary>
    private static readonly double[] Weights = [0.20, 0.18, 0.14, 0.14, 0.12, 0.12, 0.10];

    private static readonly ProductVocabulary.Category[] Categories = ProductVocabulary.Categories[..7];

    public override string Name => "product-category";

    public override string Target => "category";

    public override LearningTask Task => LearningTask.MulticlassClassification;

    /// <summary>The chance that a content word comes from another category's vocabulary.</summary>
    public override double? DefaultOverlap => 0.25;

    public override string Description =>
        $"Product catalogue entries: a designation and a description; predict the category, one of {Categories.Length} "
        + "(multiclass from text).";

    protected override IReadOnlyList<string> Columns { get; } = ["designation", "description", "category"];

    protected override IReadOnlyList<DriftableFeature> DriftableFeatures { get; } =
    [
        DriftableFeature.Categorical("category", Categories.Select(c => c.Name).ToArray(), Weights),
    ];

    protected override Action<GeneratorRandom, CsvRowWriter> Start(FeatureDrift drift, double overlap)
    {
        var categories = drift.Categorical("category");
        var text = new StringBuilder(256);

        return (random, csv) =>
        {
            var category = categories.Sample(random);

            var noun = Categories[Source(random, category, overlap)].Nouns[random.NextInt(10)];
            var model = random.NextInt(900) + 100;
            var designation = string.Create(
                CultureInfo.InvariantCulture, $"{random.Pick(ProductVocabulary.Brands)} {ProductVocabulary.Capitalized(random.Pick(ProductVocabulary.Fillers))} {noun} {(char)('A' + random.NextInt(26))}{model}");

            // Two sentences of six words: content words at fixed places, fillers around them.
            text.Clear();
            for (var sentence = 0; sentence < 2; sentence++)
            {
                for (var word = 0; word < 6; word++)
                {
                    var content = word % 2 == 1;
                    var value = content
                        ? Categories[Source(random, category, overlap)].Words[random.NextInt(12)]
                        : ProductVocabulary.Fillers[random.NextInt(ProductVocabulary.Fillers.Length)];
                    if (word == 0)
                    {
                        text.Append(char.ToUpperInvariant(value[0])).Append(value, 1, value.Length - 1);
                    }
                    else
                    {
                        text.Append(' ').Append(value);
                    }
                }

                text.Append(sentence == 0 ? ". " : ".");
            }

            var label = random.Chance(LabelNoise) ? random.NextInt(Categories.Length) : category;
            csv.Text(designation);
            csv.Text(text.ToString());
            csv.Text(Categories[label].Name);
        };
    }

    /// <summary>The category a content word comes from: the product's own, or another one with the overlap's chance.</summary>
    private static int Source(GeneratorRandom random, int category, double overlap)
    {
        var stray = random.Chance(overlap);
        var other = random.NextInt(Categories.Length - 1);
        return stray ? (other >= category ? other + 1 : other) : category;
    }
}
