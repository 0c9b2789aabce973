using MlOps.Learning.Data;

namespace MlOps.Learning.Features;

/// <summary>
/// One-hot features for the most frequent values of a column (ties broken by first appearance), plus one "other"
/// feature shared by the rarer values, values never seen in training, and missing values. With
/// <see cref="AsCodes"/>, one feature instead, holding the value's code: its place among the kept values, or their
/// count for "other" (for trees, which split on a set of codes).
/// </summary>
public sealed class CategoricalFeaturizer : ColumnFeaturizer
{
    private readonly Dictionary<string, int> _slots;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public CategoricalFeaturizer(string column, ColumnType sourceType, int offset, IReadOnlyList<string> categories, bool asCodes = false)
        : base(column, sourceType, offset, asCodes ? 1 : categories.Count + 1)
    {
        Categories = categories;
        AsCodes = asCodes;
        _slots = new Dictionary<string, int>(categories.Count, StringComparer.Ordinal);
        for (var i = 0; i < categories.Count; i++)
        {
            _slots[categories[i]] = i;
        }

        _lookup = _slots.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The values with a feature (or code) of their own, in order; "other" follows them.</summary>
    public IReadOnlyList<string> Categories { get; }

    /// <summary>One feature holding the code, rather than one 0/1 feature a value.</summary>
    public bool AsCodes { get; }

    public override void Write(in FeatureValue value, ref FeatureWriter writer)
    {
        var slot = value.Text is not null && _lookup.TryGetValue(value.Text.AsSpan(), out var known) ? known : Categories.Count;
        if (AsCodes)
        {
            writer.Add(Offset, slot);
        }
        else
        {
            writer.Add(Offset + slot, 1.0);
        }
    }

    internal static CategoricalFeaturizer Fit(DataColumn column, int offset, FeaturizerOptions options)
    {
        var counts = new Dictionary<string, (int Count, int FirstRow)>(StringComparer.Ordinal);
        for (var row = 0; row < column.Length; row++)
        {
            if (ValueAt(column, row).Text is { } value)
            {
                counts[value] = counts.TryGetValue(value, out var seen) ? (seen.Count + 1, seen.FirstRow) : (1, row);
            }
        }

        var kept = counts
            .OrderByDescending(pair => pair.Value.Count)
            .ThenBy(pair => pair.Value.FirstRow)
            .Take(options.MaxCategories)
            .Select(pair => pair.Key)
            .ToArray();
        return new CategoricalFeaturizer(column.Name, column.Type, offset, kept, options.CategoricalCodes);
    }
}
