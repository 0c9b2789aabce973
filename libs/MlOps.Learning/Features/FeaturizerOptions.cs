namespace MlOps.Learning.Features;

/// <summary>How missing numbers are filled in before standardization.</summary>
public enum ImputeStrategy
{
    Mean,
    Median,

    /// <summary>Not filled in: a missing number stays NaN, for trees, which learn which way missing values go.</summary>
    None,
}

/// <summary>Featurization settings; fitted values (means, vocabularies, IDF) come from the training data.</summary>
public sealed record FeaturizerOptions
{
    public ImputeStrategy Impute { get; init; } = ImputeStrategy.Mean;

    /// <summary>Standardize numeric features to zero mean and unit variance (population variance, as scikit-learn).</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>A categorical column keeps its most frequent values as one-hot features; the rest share "other".</summary>
    public int MaxCategories { get; init; } = 100;

    /// <summary>
    /// A categorical column becomes one feature holding its value's code instead of one-hot features, for learners
    /// that split on categories themselves (trees).
    /// </summary>
    public bool CategoricalCodes { get; init; }

    /// <summary>Text n-grams are hashed into 2^bits buckets.</summary>
    public int TextHashBits { get; init; } = 16;

    public void Validate()
    {
        if (MaxCategories is < 1 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCategories), MaxCategories, "MaxCategories must be between 1 and 100000.");
        }

        if (TextHashBits is < 4 or > 24)
        {
            throw new ArgumentOutOfRangeException(nameof(TextHashBits), TextHashBits, "TextHashBits must be between 4 and 24.");
        }
    }
}
