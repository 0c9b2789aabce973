namespace MlOps.Learning.Trees;

/// <summary>
/// Features quantized once for histogram trees: each feature's bins (<see cref="NumericBins"/>), and the rows' bins
/// twice: as one byte column a feature and row after row (row-major). A leaf's rows stay in ascending order as the
/// tree grows, so a dense leaf reads each column forwards, a byte a row; a scattered one (a few rows spread over many)
/// reads each of its rows' bins in one stretch instead of touching a cache line a feature a row (XGBoost's layout).
/// </summary>
public sealed class BinnedFeatures
{
    /// <summary>Rows transposed by one worker at a time.</summary>
    private const int RowsPerBlock = 16_384;

    private readonly byte[][] _columns;
    private readonly bool[] _categorical;

    private BinnedFeatures(NumericBins[] bins, bool[] categorical, byte[][] columns, byte[] rowMajor, int rows, SparseFeatures? sparse)
    {
        Bins = sparse is null ? bins : [.. bins, .. sparse.Bins];
        Sparse = sparse;
        _categorical = categorical;
        _columns = columns;
        RowMajor = rowMajor;
        RowCount = rows;
    }

    /// <summary>Every feature's bins: the dense features', then the sparse ones'.</summary>
    public IReadOnlyList<NumericBins> Bins { get; }

    /// <summary>The dense features, then the sparse ones (numbered from <see cref="DenseCount"/>).</summary>
    public int FeatureCount => _columns.Length + (Sparse?.FeatureCount ?? 0);

    /// <summary>Features stored a byte a row (the first ones); the rest are <see cref="Sparse"/>.</summary>
    public int DenseCount => _columns.Length;

    /// <summary>Features stored by their non-zero entries (hashed text), after the dense ones; null when there are none.</summary>
    public SparseFeatures? Sparse { get; }

    /// <summary>The histogram slots each feature uses: its value bins and the missing bin.</summary>
    public IReadOnlyList<int> SlotCounts => [.. Bins.Select(bins => bins.ValueBins + 1)];

    /// <summary>Whether a feature holds category codes (split on sets of codes) rather than ordered numbers.</summary>
    public bool IsCategorical(int feature) => feature < _categorical.Length && _categorical[feature];

    public int RowCount { get; }

    /// <summary>Each row's bin of one dense feature.</summary>
    public ReadOnlySpan<byte> Column(int feature) => _columns[feature];

    /// <summary>One row's bin of any feature.</summary>
    public byte BinOf(int row, int feature) => feature < DenseCount ? _columns[feature][row] : Sparse!.BinOf(row, feature - DenseCount);

    internal byte[] ColumnArray(int feature) => _columns[feature];

    /// <summary>Every row's bins, <see cref="FeatureCount"/> bytes a row.</summary>
    internal byte[] RowMajor { get; }

    /// <param name="columns">One array of values a feature, all as long; <see cref="double.NaN"/> where missing.</param>
    /// <param name="maxBins">At most this many bins of present values a feature (1 to 255).</param>
    /// <param name="seed">Seeds the sample each feature's bounds are chosen from.</param>
    /// <param name="threads">At most this many workers (default: every core).</param>
    /// <param name="categoryCounts">
    /// When given, a feature's number of category codes (its values are codes 0 to that − 1, each its own bin), or 0
    /// for a numeric feature.
    /// </param>
    /// <param name="sparse">Sparse features over the same rows, numbered after the dense ones.</param>
    public static BinnedFeatures Create(
        IReadOnlyList<double[]> columns,
        int maxBins = NumericBins.MaxValueBins,
        int seed = 0,
        int threads = -1,
        IReadOnlyList<int>? categoryCounts = null,
        SparseFeatures? sparse = null)
    {
        if (columns.Count == 0 && sparse is null)
        {
            throw new ArgumentException("There are no features.", nameof(columns));
        }

        var rows = columns.Count > 0 ? columns[0].Length : sparse!.RowCount;
        if (sparse is not null && sparse.RowCount != rows)
        {
            throw new ArgumentException($"The sparse features have {sparse.RowCount} rows where the dense ones have {rows}.", nameof(sparse));
        }

        var width = columns.Count;
        if ((long)rows * width > Array.MaxLength)
        {
            throw new ArgumentException($"{rows} rows of {width} features make more than {Array.MaxLength} bins; train on fewer rows or features.", nameof(columns));
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        var bins = new NumericBins[columns.Count];
        var binned = new byte[columns.Count][];
        Parallel.For(0, columns.Count, parallel, feature =>
        {
            var values = columns[feature];
            if (values.Length != rows)
            {
                throw new ArgumentException($"Feature {feature} has {values.Length} values where feature 0 has {rows}.", nameof(columns));
            }

            bins[feature] = categoryCounts is { } counts && counts[feature] > 0
                ? NumericBins.ForCodes(counts[feature])
                : NumericBins.Fit(values, maxBins, NumericBins.DefaultSampleSize, seed + feature);
            binned[feature] = new byte[rows];
            bins[feature].Bin(values, binned[feature]);
        });

        // Workers take blocks of rows (not features), so no two write the same cache line.
        var rowMajor = new byte[rows * width];
        Parallel.For(0, (rows + RowsPerBlock - 1) / RowsPerBlock, parallel, block =>
        {
            var end = Math.Min(rows, (block + 1) * RowsPerBlock);
            for (var feature = 0; feature < width; feature++)
            {
                var column = binned[feature];
                for (var row = block * RowsPerBlock; row < end; row++)
                {
                    rowMajor[(row * width) + feature] = column[row];
                }
            }
        });
        var categorical = new bool[width];
        for (var feature = 0; feature < width; feature++)
        {
            categorical[feature] = categoryCounts is { } counts && counts[feature] > 0;
        }

        return new BinnedFeatures(bins, categorical, binned, rowMajor, rows, sparse);
    }
}
