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
    /// <summary>The chance that a content word comes from another category's vocabulary.</summary>
    private const double StrayWordChance = 0.25;

    /// <summary>The chance that the label is replaced by a uniformly drawn category.</summary>
    private const double LabelNoise = 0.04;

    private static readonly (string Category, double Weight, string[] Nouns, string[] Words)[] Categories =
    [
        ("electronics", 0.20,
            ["Headphones", "Charger", "Speaker", "Webcam", "Keyboard", "Router", "Monitor", "Earbuds", "Tablet", "Smartwatch"],
            ["wireless", "bluetooth", "battery", "usb", "hdmi", "charging", "screen", "noise", "cancelling", "wifi", "resolution", "port"]),
        ("kitchen", 0.18,
            ["Skillet", "Blender", "Kettle", "Cookware Set", "Knife", "Toaster", "Mixing Bowl", "Spatula", "Dutch Oven", "Grinder"],
            ["nonstick", "stainless", "dishwasher", "cooking", "baking", "recipes", "oven", "simmer", "blade", "brew", "countertop", "saucepan"]),
        ("toys", 0.14,
            ["Building Blocks", "Puzzle", "Plush Bear", "Race Car", "Doll House", "Board Game", "Kite", "Robot Kit", "Yo-Yo", "Train Set"],
            ["kids", "children", "playtime", "ages", "imagination", "colorful", "fun", "toddlers", "pieces", "educational", "play", "birthday"]),
        ("sports", 0.14,
            ["Yoga Mat", "Dumbbell", "Running Shoes", "Tennis Racket", "Water Bottle", "Resistance Bands", "Football", "Bike Helmet", "Jump Rope", "Gym Bag"],
            ["workout", "fitness", "training", "grip", "athletes", "gym", "running", "sweat", "outdoor", "endurance", "exercise", "stamina"]),
        ("beauty", 0.12,
            ["Moisturizer", "Serum", "Lipstick", "Shampoo", "Face Mask", "Perfume", "Nail Polish", "Hair Dryer", "Cleanser", "Mascara"],
            ["skin", "hydrating", "fragrance", "hair", "vitamin", "glow", "moisture", "gentle", "formula", "complexion", "scent", "cruelty-free"]),
        ("books", 0.12,
            ["Novel", "Cookbook", "Biography", "Atlas", "Poetry Collection", "Thriller", "Textbook", "Memoir", "Comic", "Travel Guide"],
            ["author", "chapters", "story", "edition", "paperback", "hardcover", "pages", "bestselling", "reader", "illustrated", "narrative", "chapter"]),
        ("garden", 0.10,
            ["Hose", "Pruning Shears", "Planter", "Lawn Mower", "Seed Kit", "Watering Can", "Rake", "Bird Feeder", "Compost Bin", "Trowel"],
            ["plants", "soil", "lawn", "flowers", "watering", "seeds", "backyard", "weather", "pruning", "weeds", "vegetables", "patio"]),
    ];

    private static readonly string[] Brands =
    [
        "Acme", "Nordix", "Zentra", "Kolibri", "Vantaro", "Lumo", "Brightway", "Orbis", "Pinecrest", "Solano", "Tekka",
        "Maple & Co", "Havn", "Quill", "Everstone",
    ];

    private static readonly string[] Fillers =
    [
        "great", "quality", "perfect", "gift", "everyday", "durable", "design", "premium", "lightweight", "compact",
        "easy", "use", "new", "best", "value", "classic", "modern", "reliable", "popular", "essential",
    ];

    public override string Name => "product-category";

    public override string Target => "category";

    public override LearningTask Task => LearningTask.MulticlassClassification;

    public override string Description =>
        $"Product catalogue entries: a designation and a description; predict the category, one of {Categories.Length} "
        + "(multiclass from text).";

    protected override IReadOnlyList<string> Columns { get; } = ["designation", "description", "category"];

    protected override IReadOnlyList<DriftableFeature> DriftableFeatures { get; } =
    [
        DriftableFeature.Categorical("category", Categories.Select(c => c.Category).ToArray(), Categories.Select(c => c.Weight).ToArray()),
    ];

    protected override Action<GeneratorRandom, CsvRowWriter> Start(FeatureDrift drift)
    {
        var categories = drift.Categorical("category");
        var text = new StringBuilder(256);

        return (random, csv) =>
        {
            var category = categories.Sample(random);

            var noun = Categories[Source(random, category)].Nouns[random.NextInt(10)];
            var model = random.NextInt(900) + 100;
            var designation = string.Create(
                CultureInfo.InvariantCulture, $"{random.Pick(Brands)} {Capitalized(random.Pick(Fillers))} {noun} {(char)('A' + random.NextInt(26))}{model}");

            // Two sentences of six words: content words at fixed places, fillers around them.
            text.Clear();
            for (var sentence = 0; sentence < 2; sentence++)
            {
                for (var word = 0; word < 6; word++)
                {
                    var content = word % 2 == 1;
                    var value = content
                        ? Categories[Source(random, category)].Words[random.NextInt(12)]
                        : Fillers[random.NextInt(Fillers.Length)];
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
            csv.Text(Categories[label].Category);
        };
    }

    /// <summary>The category a content word comes from: the product's own, or another one with a small chance.</summary>
    private static int Source(GeneratorRandom random, int category)
    {
        var stray = random.Chance(StrayWordChance);
        var other = random.NextInt(Categories.Length - 1);
        return stray ? (other >= category ? other + 1 : other) : category;
    }

    private static string Capitalized(string word) => string.Concat(word[..1].ToUpperInvariant(), word.AsSpan(1));
}
