namespace MlOps.Learning.Trees;

/// <summary>
/// Features quantized once for histogram trees: each feature's bins (<see cref="NumericBins"/>) and its rows' bins as
/// one contiguous byte column, so building a histogram reads a feature's rows in order, a byte each.
/// </summary>
public sealed class BinnedFeatures
{
    private readonly byte[][] _columns;

    private BinnedFeatures(NumericBins[] bins, byte[][] columns, int rows)
    {
        Bins = bins;
        _columns = columns;
        RowCount = rows;
    }

    public IReadOnlyList<NumericBins> Bins { get; }

    public int FeatureCount => _columns.Length;

    public int RowCount { get; }

    /// <summary>Each row's bin of one feature.</summary>
    public ReadOnlySpan<byte> Column(int feature) => _columns[feature];

    /// <param name="columns">One array of values a feature, all as long; <see cref="double.NaN"/> where missing.</param>
    /// <param name="maxBins">At most this many bins of present values a feature (1 to 255).</param>
    /// <param name="seed">Seeds the sample each feature's bounds are chosen from.</param>
    public static BinnedFeatures Create(IReadOnlyList<double[]> columns, int maxBins = NumericBins.MaxValueBins, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfZero(columns.Count);
        var rows = columns[0].Length;
        var bins = new NumericBins[columns.Count];
        var binned = new byte[columns.Count][];
        Parallel.For(0, columns.Count, feature =>
        {
            var values = columns[feature];
            if (values.Length != rows)
            {
                throw new ArgumentException($"Feature {feature} has {values.Length} values where feature 0 has {rows}.", nameof(columns));
            }

            bins[feature] = NumericBins.Fit(values, maxBins, NumericBins.DefaultSampleSize, seed + feature);
            binned[feature] = new byte[rows];
            bins[feature].Bin(values, binned[feature]);
        });
        return new BinnedFeatures(bins, binned, rows);
    }
}
