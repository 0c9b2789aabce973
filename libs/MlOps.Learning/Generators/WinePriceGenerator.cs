using System.Text;
using MlOps.Learning.Training;

namespace MlOps.Learning.Generators;

/// <summary>
/// Wine reviews: origin, vintage, points and a tasting note whose adjectives lean premium or value with the points;
/// <c>price</c> is linear in points, age, province and the note's premium and value words, plus normal noise. Rule:
/// <c>docs/generators.md</c>.
/// </summary>
internal sealed class WinePriceGenerator : SyntheticGenerator
{
    private const int ReferenceYear = 2024;

    private static readonly (string Country, double Weight, (string Province, double Premium)[] Provinces)[] Origins =
    [
        ("US", 0.35, [("California", 12), ("Oregon", 8), ("Washington", 4), ("New York", -2)]),
        ("France", 0.20, [("Bordeaux", 20), ("Burgundy", 25), ("Champagne", 30), ("Loire Valley", -2), ("Rhône Valley", 5)]),
        ("Italy", 0.15, [("Tuscany", 12), ("Piedmont", 15), ("Veneto", 0), ("Sicily", -4)]),
        ("Spain", 0.10, [("Rioja", 2), ("Ribera del Duero", 8), ("Catalonia", -2)]),
        ("Portugal", 0.06, [("Douro", 5), ("Alentejo", -5)]),
        ("Chile", 0.05, [("Maipo Valley", -3), ("Colchagua Valley", -4)]),
        ("Argentina", 0.05, [("Mendoza", -3), ("Salta", -2)]),
        ("Australia", 0.04, [("South Australia", 1), ("Victoria", 0)]),
    ];

    private static readonly string[] Premium =
    [
        "opulent", "profound", "layered", "velvety", "majestic", "polished", "concentrated", "seamless", "ageworthy",
        "complex", "refined", "powerful",
    ];

    private static readonly string[] Value =
    [
        "simple", "easygoing", "quaffable", "light", "everyday", "straightforward", "casual", "soft", "rustic", "lean",
        "modest", "uncomplicated",
    ];

    private static readonly string[] Neutral =
    [
        "fresh", "bright", "ripe", "savory", "juicy", "firm", "round", "dry", "lively", "supple", "earthy", "spicy",
    ];

    private static readonly string[] Fruits =
    [
        "cherry", "plum", "blackberry", "cassis", "raspberry", "citrus", "apple", "pear", "peach", "fig", "currant",
        "strawberry",
    ];

    private static readonly string[] Accents =
    [
        "vanilla", "oak", "tobacco", "leather", "herbs", "pepper", "mocha", "smoke", "violet", "minerals",
    ];

    private static readonly string[] Styles = ["red", "white", "blend", "wine"];

    public override string Name => "wine-price";

    public override string Target => "price";

    public override LearningTask Task => LearningTask.Regression;

    public override string Description =>
        "Wine reviews: country, province, vintage, points and a tasting note; predict the bottle's price in US dollars "
        + "(regression).";

    protected override IReadOnlyList<string> Columns { get; } = ["country", "province", "vintage", "points", "description", "price"];

    protected override IReadOnlyList<DriftableFeature> DriftableFeatures { get; } =
    [
        DriftableFeature.Categorical("country", Origins.Select(o => o.Country).ToArray(), Origins.Select(o => o.Weight).ToArray()),
        DriftableFeature.Numeric("vintage", 2013, 5),
        DriftableFeature.Numeric("points", 88, 3),
    ];

    protected override Action<GeneratorRandom, CsvRowWriter> Start(FeatureDrift drift, double overlap)
    {
        var country = drift.Categorical("country");
        var vintages = drift.Numeric("vintage");
        var points = drift.Numeric("points");
        var note = new StringBuilder(256);
        var adjectives = new string[4];

        return (random, csv) =>
        {
            var origin = Origins[country.Sample(random)];
            var (province, provincePremium) = random.Pick(origin.Provinces);
            var vintage = (int)Math.Round(Clip(vintages.Apply(2013 + (5 * random.NextNormal())), 1990, ReferenceYear - 1));
            var score = (int)Math.Round(Clip(points.Apply(88 + (3 * random.NextNormal())), 80, 100));

            // Four adjective slots: premium words grow likelier with the points, value words rarer.
            var premiumChance = Clip(0.15 + (0.06 * (score - 88)), 0.02, 0.9);
            var valueChance = Clip(0.30 - (0.06 * (score - 88)), 0.02, 0.9);
            var premiumWords = 0;
            var valueWords = 0;
            for (var i = 0; i < adjectives.Length; i++)
            {
                var u = random.NextDouble();
                var word = random.NextInt(Premium.Length);
                if (u < premiumChance)
                {
                    adjectives[i] = Premium[word];
                    premiumWords++;
                }
                else if (u < premiumChance + valueChance)
                {
                    adjectives[i] = Value[word];
                    valueWords++;
                }
                else
                {
                    adjectives[i] = Neutral[word];
                }
            }

            note.Clear()
                .Append(Article(adjectives[0], capital: true)).Append(' ').Append(adjectives[0]).Append(' ').Append(random.Pick(Styles)).Append(" from ").Append(province)
                .Append(". Aromas of ").Append(random.Pick(Fruits)).Append(" and ").Append(random.Pick(Accents))
                .Append(" lead to ").Append(Article(adjectives[1], capital: false)).Append(' ').Append(adjectives[1]).Append(" palate with ").Append(adjectives[2])
                .Append(" tannins. The finish is ").Append(adjectives[3]).Append(", with hints of ")
                .Append(random.Pick(Fruits)).Append('.');

            var price = 36
                + (3.0 * (score - 88))
                + (0.8 * (ReferenceYear - vintage - 11))
                + provincePremium
                + (7.0 * premiumWords)
                - (4.0 * valueWords)
                + (6.0 * random.NextNormal());

            csv.Text(origin.Country);
            csv.Text(province);
            csv.Integer(vintage);
            csv.Integer(score);
            csv.Text(note.ToString());
            csv.Number(Math.Max(4, price), 2);
        };
    }

    private static string Article(string word, bool capital) =>
        "aeiou".Contains(word[0], StringComparison.Ordinal) ? (capital ? "An" : "an") : (capital ? "A" : "a");
}
