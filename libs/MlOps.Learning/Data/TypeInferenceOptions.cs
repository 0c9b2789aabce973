namespace MlOps.Learning.Data;

/// <summary>
/// When a column that is neither boolean nor numeric is <see cref="ColumnType.Categorical"/> rather than
/// <see cref="ColumnType.Text"/>: it has at most <c>max(CategoricalMinDistinct, CategoricalMaxDistinctFraction × present
/// values)</c> distinct values and none of them has more than <see cref="CategoricalMaxWords"/> words. The floor keeps a
/// small file's few labels categorical; the fraction lets a large file have many categories (cities, products) while a
/// column whose values rarely repeat (names, comments) stays text.
/// </summary>
public sealed record TypeInferenceOptions
{
    /// <summary>Distinct values a column may always have and still be categorical.</summary>
    public int CategoricalMinDistinct { get; init; } = 20;

    /// <summary>Distinct values allowed per present (non-missing) value, above the floor.</summary>
    public double CategoricalMaxDistinctFraction { get; init; } = 0.05;

    /// <summary>The most whitespace-separated words a categorical value may have ("New York City" has three).</summary>
    public int CategoricalMaxWords { get; init; } = 3;
}
