namespace MlOps.Learning.Trees;

/// <summary>
/// Features that are zero in most rows (hashed text), quantized and stored by their non-zero entries only: row by row
/// (what a histogram reads for a leaf's rows) and feature by feature (what a split's partition looks up). A feature's
/// bin 1 holds zero and bins 2 up its non-zero values; a histogram sums only the non-zero entries and gets each
/// feature's zero bin as the leaf's total less them (LightGBM's way), so a leaf costs its non-zero entries, not rows ×
/// features.
/// </summary>
public sealed class SparseFeatures
{
    /// <summary>Value bins of a sparse feature's non-zero values (besides zero's own bin).</summary>
    public const int MaxNonZeroBins = 15;

    /// <summary>The bin zero falls in.</summary>
    public const byte ZeroBin = 1;

    private SparseFeatures(NumericBins[] bins, int[] rowStarts, int[] entryFeatures, byte[] entryBins)
    {
        Bins = bins;
        RowStarts = rowStarts;
        EntryFeatures = entryFeatures;
        EntryBins = entryBins;

        // The same entries feature by feature (rows ascending): a counting sort of the row-major ones.
        FeatureStarts = new int[bins.Length + 1];
        foreach (var feature in entryFeatures)
        {
            FeatureStarts[feature + 1]++;
        }

        for (var feature = 0; feature < bins.Length; feature++)
        {
            FeatureStarts[feature + 1] += FeatureStarts[feature];
        }

        FeatureRows = new int[entryFeatures.Length];
        FeatureBins = new byte[entryFeatures.Length];
        var next = FeatureStarts[..^1];
        for (var row = 0; row + 1 < rowStarts.Length; row++)
        {
            for (var entry = rowStarts[row]; entry < rowStarts[row + 1]; entry++)
            {
                var place = next[entryFeatures[entry]]++;
                FeatureRows[place] = row;
                FeatureBins[place] = entryBins[entry];
            }
        }
    }

    /// <summary>Feature f's entries are <c>FeatureRows/FeatureBins[FeatureStarts[f] .. FeatureStarts[f + 1])</c>, rows ascending.</summary>
    internal int[] FeatureStarts { get; }

    internal int[] FeatureRows { get; }

    internal byte[] FeatureBins { get; }

    public IReadOnlyList<NumericBins> Bins { get; }

    public int FeatureCount => Bins.Count;

    public int RowCount => RowStarts.Length - 1;

    /// <summary>Row r's entries are <c>EntryFeatures/EntryBins[RowStarts[r] .. RowStarts[r + 1])</c>, features ascending.</summary>
    internal int[] RowStarts { get; }

    internal int[] EntryFeatures { get; }

    internal byte[] EntryBins { get; }

    /// <summary>A row's bin of a feature: its entry's, or the zero bin when it has none.</summary>
    public byte BinOf(int row, int feature)
    {
        var entries = EntryFeatures.AsSpan(RowStarts[row], RowStarts[row + 1] - RowStarts[row]);
        var found = entries.BinarySearch(feature);
        return found >= 0 ? EntryBins[RowStarts[row] + found] : ZeroBin;
    }

    /// <summary>Bins the rows' non-zero values (each feature's bounds from a sample seeded by <paramref name="seed"/> and the feature).</summary>
    public static SparseFeatures Create(SparseRows sparse, int seed = 0)
    {
        var (featureCount, rowStarts, features, values) = (sparse.FeatureCount, sparse.RowStarts, sparse.Features, sparse.Values);
        if (rowStarts.Length == 0 || rowStarts[0] != 0 || rowStarts[^1] != features.Length || features.Length != values.Length)
        {
            throw new ArgumentException("The row starts must run from 0 to the number of entries, one a feature and value.", nameof(sparse));
        }

        var perFeature = new List<double>[featureCount];
        for (var feature = 0; feature < featureCount; feature++)
        {
            perFeature[feature] = [];
        }

        for (var row = 0; row + 1 < rowStarts.Length; row++)
        {
            for (var entry = rowStarts[row]; entry < rowStarts[row + 1]; entry++)
            {
                if ((uint)features[entry] >= (uint)featureCount || (entry > rowStarts[row] && features[entry] <= features[entry - 1]))
                {
                    throw new ArgumentException($"Row {row}'s entries are not features 0 to {featureCount - 1} in ascending order.", nameof(sparse));
                }

                if (!(values[entry] > 0) || double.IsInfinity(values[entry]))
                {
                    throw new ArgumentException($"Row {row} has the sparse value {values[entry]}; sparse values are finite and above zero.", nameof(sparse));
                }

                perFeature[features[entry]].Add(values[entry]);
            }
        }

        var bins = new NumericBins[featureCount];
        Parallel.For(0, featureCount, feature => bins[feature] = NumericBins.ForSparse(perFeature[feature].ToArray(), MaxNonZeroBins, seed + feature));
        var entryBins = new byte[values.Length];
        for (var entry = 0; entry < values.Length; entry++)
        {
            entryBins[entry] = bins[features[entry]].BinOf(values[entry]);
        }

        return new SparseFeatures(bins, rowStarts, features, entryBins);
    }
}
