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
        var present = new List<double>(column.Length);
        for (var row = 0; row < column.Length; row++)
        {
            var value = ValueAt(column, row).Number;
            if (!double.IsNaN(value))
            {
                present.Add(value);
            }
        }

        var imputed = present.Count == 0 ? 0.0 : options.Impute == ImputeStrategy.Median ? Median(present) : Mean(present);
        if (!options.Standardize)
        {
            return new NumericFeaturizer(column.Name, column.Type, offset, imputed, 0.0, 1.0);
        }

        // Statistics of the column as the model sees it: present values plus the imputed ones.
        var missing = column.Length - present.Count;
        var mean = (Sum(present) + (missing * imputed)) / column.Length;
        var squares = missing * (imputed - mean) * (imputed - mean);
        foreach (var value in present)
        {
            squares += (value - mean) * (value - mean);
        }

        var deviation = Math.Sqrt(squares / column.Length);
        return new NumericFeaturizer(column.Name, column.Type, offset, imputed, mean, deviation > 0 ? deviation : 1.0);
    }

    private static double Sum(List<double> values)
    {
        // Neumaier summation: the mean must not drift with row count or order.
        double sum = 0, compensation = 0;
        foreach (var value in values)
        {
            var t = sum + value;
            compensation += Math.Abs(sum) >= Math.Abs(value) ? (sum - t) + value : (value - t) + sum;
            sum = t;
        }

        return sum + compensation;
    }

    private static double Mean(List<double> values) => Sum(values) / values.Count;

    private static double Median(List<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
