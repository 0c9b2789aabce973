using MlOps.Learning.Data;

namespace MlOps.Learning.Features;

/// <summary>
/// One-hot features for the most frequent values of a column (ties broken by first appearance), plus one "other"
/// feature shared by the rarer values, values never seen in training, and missing values.
/// </summary>
public sealed class CategoricalFeaturizer : ColumnFeaturizer
{
    private readonly Dictionary<string, int> _slots;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public CategoricalFeaturizer(string column, ColumnType sourceType, int offset, IReadOnlyList<string> categories)
        : base(column, sourceType, offset, categories.Count + 1)
    {
        Categories = categories;
        _slots = new Dictionary<string, int>(categories.Count, StringComparer.Ordinal);
        for (var i = 0; i < categories.Count; i++)
        {
            _slots[categories[i]] = i;
        }

        _lookup = _slots.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The values with a feature of their own, in feature order; "other" follows them.</summary>
    public IReadOnlyList<string> Categories { get; }

    public override void Write(in FeatureValue value, ref FeatureWriter writer)
    {
        var slot = value.Text is not null && _lookup.TryGetValue(value.Text.AsSpan(), out var known) ? known : Categories.Count;
        writer.Add(Offset + slot, 1.0);
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
        return new CategoricalFeaturizer(column.Name, column.Type, offset, kept);
    }
}
