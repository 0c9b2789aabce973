using System.Globalization;

namespace MlOps.Learning.Training;

/// <summary>
/// Settings of the tree learners, under the names the trainer, the bench harness and the model file use: gradient
/// boosting (<c>gbdt</c>) and random forests (<c>random-forest</c>, where <see cref="Rounds"/> is the number of
/// trees). Null means the learner's default.
/// </summary>
public sealed record TreeTrainingOptions
{
    /// <summary>The most leaves a tree may have.</summary>
    public const int MaxNumLeaves = 4_096;

    /// <summary>Boosting rounds, or a forest's trees.</summary>
    public int Rounds { get; init; } = 100;

    /// <summary>Leaves a tree grows to at most (boosting: 31; forest: 255).</summary>
    public int? NumLeaves { get; init; }

    public int? MaxDepth { get; init; }

    public double LearningRate { get; init; } = 0.1;

    public int MaxBins { get; init; } = 255;

    /// <summary>λ on leaf values (boosting: 1; forest: 0, so a leaf is its rows' mean).</summary>
    public double? L2 { get; init; }

    public double L1 { get; init; }

    /// <summary>Rows a leaf keeps at least (boosting: 20; forest: 1).</summary>
    public int? MinChildSamples { get; init; }

    /// <summary>Hessian sum a leaf keeps at least (boosting: 0.001; forest: 0).</summary>
    public double? MinChildWeight { get; init; }

    public double MinSplitGain { get; init; }

    /// <summary>Boosting: the share of features a tree may use. Forest: the share each split draws from (default √n/n for classification, all for regression).</summary>
    public double? FeatureFraction { get; init; }

    /// <summary>Boosting: the share of rows each tree is grown from (without replacement).</summary>
    public double BaggingFraction { get; init; } = 1;

    /// <summary>Boosting: stop when this many rounds have not improved the validation loss, keeping the best round.</summary>
    public int? EarlyStoppingRounds { get; init; }

    /// <summary>The share of training rows held out for early stopping when no validation table is given.</summary>
    public double ValidationFraction { get; init; } = EarlyStoppingHoldOut.DefaultFraction;

    public int Seed { get; init; }

    /// <summary>Workers (default: every core).</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// A categorical column keeps its most frequent values as codes of their own; the rest share "other" (at most
    /// 254, so the codes and "other" fit a feature's 255 bins).
    /// </summary>
    public int MaxCategories { get; init; } = 100;

    /// <summary>A text column's n-grams are hashed into 2^bits buckets (TF-IDF weighted, as for the linear learners).</summary>
    public int TextHashBits { get; init; } = 16;

    /// <summary>Hashed-text buckets the trees take at most: the most frequent ones.</summary>
    public int MaxTextFeatures { get; init; } = 500;

    /// <summary>A hashed-text bucket needs at least this many rows holding it to be taken.</summary>
    public int MinTextDocuments { get; init; } = 5;

    /// <summary>The SHA-256 of the training data, when the caller knows it, recorded in the model.</summary>
    public string? DataSha256 { get; init; }

    public void Validate()
    {
        Require(Rounds is >= 1 and <= 100_000, "rounds must be between 1 and 100000.");
        Require(NumLeaves is null or (>= 2 and <= MaxNumLeaves), $"numLeaves must be between 2 and {MaxNumLeaves}.");
        Require(MaxDepth is null or (>= 1 and <= 64), "maxDepth must be between 1 and 64.");
        Require(LearningRate is > 0 and <= 1, "learningRate must be above 0 and at most 1.");
        Require(MaxBins is >= 2 and <= 255, "maxBins must be between 2 and 255.");
        Require(L2 is null or (>= 0 and < double.PositiveInfinity), "l2 must be a finite number, zero or more.");
        Require(L1 is >= 0 and < double.PositiveInfinity, "l1 must be a finite number, zero or more.");
        Require(MinChildSamples is null or >= 1, "minChildSamples must be at least 1.");
        Require(MinChildWeight is null or (>= 0 and < double.PositiveInfinity), "minChildWeight must be a finite number, zero or more.");
        Require(MinSplitGain is >= 0 and < double.PositiveInfinity, "minSplitGain must be a finite number, zero or more.");
        Require(FeatureFraction is null or (> 0 and <= 1), "featureFraction must be above 0 and at most 1.");
        Require(BaggingFraction is > 0 and <= 1, "baggingFraction must be above 0 and at most 1.");
        Require(EarlyStoppingRounds is null or >= 1, "earlyStoppingRounds must be at least 1.");
        Require(ValidationFraction is > 0 and < 1, "validationFraction must be above 0 and below 1.");
        Require(Threads is null or >= 1, "threads must be at least 1.");
        Require(MaxCategories is >= 1 and <= 254, "maxCategories must be between 1 and 254 for trees.");
        Require(TextHashBits is >= 4 and <= 20, "textHashBits must be between 4 and 20 for trees.");
        Require(MaxTextFeatures is >= 0 and <= 10_000, "maxTextFeatures must be between 0 and 10000.");
        Require(MinTextDocuments >= 1, "minTextDocuments must be at least 1.");
    }

    /// <summary>The parameters as recorded in the model file (defaults resolved for the algorithm).</summary>
    public IReadOnlyDictionary<string, string> ToParameters(bool forest)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["rounds"] = Text(Rounds),
            ["numLeaves"] = Text(NumLeaves ?? (forest ? 255 : 31)),
            ["maxBins"] = Text(MaxBins),
            ["l2"] = Text(L2 ?? (forest ? 0 : 1)),
            ["l1"] = Text(L1),
            ["minChildSamples"] = Text(MinChildSamples ?? (forest ? 1 : 20)),
            ["minChildWeight"] = Text(MinChildWeight ?? (forest ? 0 : 1e-3)),
            ["minSplitGain"] = Text(MinSplitGain),
            ["maxCategories"] = Text(MaxCategories),
            ["textHashBits"] = Text(TextHashBits),
            ["maxTextFeatures"] = Text(MaxTextFeatures),
            ["minTextDocuments"] = Text(MinTextDocuments),
            ["seed"] = Text(Seed),
        };
        if (MaxDepth is { } depth)
        {
            parameters["maxDepth"] = Text(depth);
        }

        if (FeatureFraction is { } fraction)
        {
            parameters["featureFraction"] = Text(fraction);
        }

        if (!forest)
        {
            parameters["learningRate"] = Text(LearningRate);
            parameters["baggingFraction"] = Text(BaggingFraction);
            if (EarlyStoppingRounds is { } patience)
            {
                parameters["earlyStoppingRounds"] = Text(patience);
                parameters["validationFraction"] = Text(ValidationFraction);
            }
        }

        return parameters;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
