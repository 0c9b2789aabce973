using System.Text;
using MlOps.Learning.Training;

namespace MlOps.Learning.Generators;

/// <summary>
/// Product reviews of two to four sentences, each about one aspect with an opinion whose polarity follows the review's
/// sentiment most of the time (negations included); a few labels are wrong on purpose. Rule: <c>docs/generators.md</c>.
/// </summary>
internal sealed class ReviewSentimentGenerator : SyntheticGenerator
{
    private const double LabelNoise = 0.05;

    private static readonly string[] Sentiments = ["negative", "neutral", "positive"];
    private static readonly double[] SentimentWeights = [0.30, 0.25, 0.45];

    /// <summary>Per sentiment (rows), the chance that a sentence is negative, neutral or positive (columns).</summary>
    private static readonly double[][] SentencePolarity =
    [
        [0.75, 0.17, 0.08],
        [0.15, 0.70, 0.15],
        [0.06, 0.17, 0.77],
    ];

    private static readonly string[] Aspects =
    [
        "battery", "delivery", "price", "quality", "customer service", "packaging", "size", "color", "screen", "sound",
        "material", "instructions",
    ];

    private static readonly string[] Positive =
    [
        "great", "excellent", "amazing", "fantastic", "wonderful", "perfect", "superb", "impressive", "lovely", "outstanding",
    ];

    private static readonly string[] Negative =
    [
        "terrible", "awful", "poor", "horrible", "disappointing", "broken", "useless", "cheap", "flimsy", "dreadful",
    ];

    private static readonly string[] Mild =
    [
        "okay", "average", "fine", "acceptable", "decent", "ordinary", "standard", "adequate", "mediocre", "so-so",
    ];

    private static readonly string[] Openers =
    [
        "I bought this last month.", "Ordered it for my kitchen.", "Got this as a gift.", "Used it for two weeks now.",
        "Second one I have bought.", "Arrived on Tuesday.",
    ];

    public override string Name => "review-sentiment";

    public override string Target => "sentiment";

    public override LearningTask Task => LearningTask.MulticlassClassification;

    public override string Description =>
        "Customer product reviews; predict the sentiment: negative, neutral or positive (multiclass from text).";

    protected override IReadOnlyList<string> Columns { get; } = ["text", "sentiment"];

    protected override IReadOnlyList<DriftableFeature> DriftableFeatures { get; } =
    [
        DriftableFeature.Categorical("sentiment", Sentiments, SentimentWeights),
    ];

    protected override Action<GeneratorRandom, CsvRowWriter> Start(FeatureDrift drift, double overlap)
    {
        var sentiments = drift.Categorical("sentiment");
        var text = new StringBuilder(256);
        var polarities = SentencePolarity.Select(p => new CategorySampler(p)).ToArray();

        return (random, csv) =>
        {
            var sentiment = sentiments.Sample(random);
            text.Clear();
            if (random.Chance(0.3))
            {
                text.Append(random.Pick(Openers));
            }

            var sentences = 2 + random.NextInt(3);
            for (var i = 0; i < sentences; i++)
            {
                if (text.Length > 0)
                {
                    text.Append(' ');
                }

                Sentence(random, text, polarities[sentiment].Sample(random));
            }

            var label = random.Chance(LabelNoise) ? random.NextInt(Sentiments.Length) : sentiment;
            csv.Text(text.ToString());
            csv.Text(Sentiments[label]);
        };
    }

    /// <summary>One sentence of polarity 0 (negative), 1 (neutral) or 2 (positive), sometimes phrased as a negation.</summary>
    private static void Sentence(GeneratorRandom random, StringBuilder text, int polarity)
    {
        var aspect = random.Pick(Aspects);
        var negated = polarity != 1 && random.Chance(0.2);
        var word = polarity switch
        {
            0 => random.Pick(negated ? Positive : Negative),
            1 => random.Pick(Mild),
            _ => random.Pick(negated ? Negative : Positive),
        };

        switch (random.NextInt(3))
        {
            case 0:
                text.Append("The ").Append(aspect).Append(negated ? " is not " : " is ").Append(word).Append('.');
                break;
            case 1:
                if (negated)
                {
                    text.Append("aeiou".Contains(word[0], StringComparison.Ordinal) ? "Not an " : "Not a ").Append(word).Append(' ').Append(aspect).Append(" at all.");
                }
                else
                {
                    text.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1).Append(' ').Append(aspect).Append('.');
                }

                break;
            default:
                text.Append("I found the ").Append(aspect).Append(negated ? " far from " : " ").Append(word).Append('.');
                break;
        }
    }
}
