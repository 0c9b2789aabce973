using MlOps.Learning.Data;

namespace MlOps.Learning.Features;

/// <summary>
/// One feature from a numeric or boolean column: a missing value is replaced by <see cref="ImputedValue"/>, then
/// <c>(x - Center) / Scale</c>. With standardization, Center and Scale are the mean and population standard deviation
/// of the imputed training column (scikit-learn's SimpleImputer then StandardScaler); a constant column keeps scale 1.
/// </summary>
public sealed class NumericFeaturizer(string column, ColumnType sourceType, int offset, double imputedValue, double center, double scale)
    : ColumnFeaturizer(column, sourceType, offset, width: 1)
{
    public double ImputedValue { get; } = imputedValue;

    public double Center { get; } = center;

    public double Scale { get; } = scale;

    public override void Write(in FeatureValue value, ref FeatureWriter writer)
    {
        var x = double.IsNaN(value.Number) ? ImputedValue : value.Number;
        writer.Add(Offset, (x - Center) / Scale);
    }

    internal static NumericFeaturizer Fit(DataColumn column, int offset, FeaturizerOptions options)
    {
        var (values, missing) = AsNumbers(column);
        var present = new NeumaierSum();
        var presentCount = 0;
        for (var row = 0; row < values.Length; row++)
        {
            if (!missing[row])
            {
                present.Add(values[row]);
                presentCount++;
            }
        }

        var imputed = options.Impute == ImputeStrategy.None ? double.NaN
            : presentCount == 0 ? 0.0
            : options.Impute == ImputeStrategy.Median ? Median(values, missing, presentCount)
            : present.Value / presentCount;
        if (!options.Standardize || options.Impute == ImputeStrategy.None)
        {
            return new NumericFeaturizer(column.Name, column.Type, offset, imputed, 0.0, 1.0);
        }

        // Statistics of the column as the model sees it: present values plus the imputed ones.
        var missingCount = values.Length - presentCount;
        var mean = (present.Value + (missingCount * imputed)) / values.Length;
        var squares = new NeumaierSum();
        squares.Add(missingCount * (imputed - mean) * (imputed - mean));
        for (var row = 0; row < values.Length; row++)
        {
            if (!missing[row])
            {
                var deviation = values[row] - mean;
                squares.Add(deviation * deviation);
            }
        }

        var standardDeviation = Math.Sqrt(squares.Value / values.Length);
        return new NumericFeaturizer(column.Name, column.Type, offset, imputed, mean, standardDeviation > 0 ? standardDeviation : 1.0);
    }

    /// <summary>Writes this feature for every row of <paramref name="column"/> into a row-major dense matrix.</summary>
    internal void WriteColumn(DataColumn column, double[] matrix, int width)
    {
        var (values, missing) = AsNumbers(column);
        for (var row = 0; row < values.Length; row++)
        {
            var x = missing[row] ? ImputedValue : values[row];
            matrix[((long)row * width) + Offset] = (x - Center) / Scale;
        }
    }

    /// <summary>Writes this feature for every row of <paramref name="column"/> into its own column.</summary>
    internal void WriteColumn(DataColumn column, Span<double> destination)
    {
        var (values, missing) = AsNumbers(column);
        for (var row = 0; row < values.Length; row++)
        {
            var x = missing[row] ? ImputedValue : values[row];
            destination[row] = (x - Center) / Scale;
        }
    }

    /// <summary>A numeric column as it is; a boolean one as 0/1.</summary>
    private static (double[] Values, bool[] Missing) AsNumbers(DataColumn column) => column switch
    {
        NumericColumn numeric => (numeric.Values, numeric.Missing),
        BooleanColumn boolean => (Array.ConvertAll(boolean.Values, flag => flag ? 1.0 : 0.0), boolean.Missing),
        _ => throw new ArgumentException($"Column '{column.Name}' is {column.Type}, not numeric.", nameof(column)),
    };

    /// <summary>Neumaier summation: means must not drift with row count or order.</summary>
    private struct NeumaierSum
    {
        private double _sum;
        private double _compensation;

        public readonly double Value => _sum + _compensation;

        public void Add(double value)
        {
            var t = _sum + value;
            _compensation += Math.Abs(_sum) >= Math.Abs(value) ? (_sum - t) + value : (value - t) + _sum;
            _sum = t;
        }
    }

    private static double Median(double[] values, bool[] missing, int presentCount)
    {
        var sorted = new double[presentCount];
        var next = 0;
        for (var row = 0; row < values.Length; row++)
        {
            if (!missing[row])
            {
                sorted[next++] = values[row];
            }
        }

        Array.Sort(sorted);
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
