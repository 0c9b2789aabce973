namespace MlOps.Learning.Metrics;

/// <summary>Regression metrics with scikit-learn 1.2's definitions, summed in numpy's order.</summary>
public static class RegressionMetrics
{
    /// <exception cref="ArgumentException">The inputs are empty, differ in length, or hold a non-finite value.</exception>
    public static RegressionMetricsResult Compute(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        MetricInputs.RequireRows(actual.Length, nameof(actual));
        MetricInputs.RequireSameLength(actual.Length, predicted.Length, nameof(predicted));
        MetricInputs.RequireFinite(actual, nameof(actual));
        MetricInputs.RequireFinite(predicted, nameof(predicted));

        var n = actual.Length;
        var squaredErrors = new NumpySum(n);
        var absoluteErrors = new NumpySum(n);
        for (var i = 0; i < n; i++)
        {
            var error = actual[i] - predicted[i];
            squaredErrors.Add(error * error);
            absoluteErrors.Add(Math.Abs(error));
        }

        var residual = squaredErrors.Total;
        return new RegressionMetricsResult(
            Rmse: Math.Sqrt(residual / n),
            Mae: absoluteErrors.Total / n,
            R2(actual, residual),
            n);
    }

    private static double R2(ReadOnlySpan<double> actual, double residual)
    {
        // scikit-learn warns and returns NaN: one row has no variance to explain.
        if (actual.Length < 2)
        {
            return double.NaN;
        }

        var mean = NumpySum.Of(actual) / actual.Length;
        var deviations = new NumpySum(actual.Length);
        foreach (var value in actual)
        {
            var deviation = value - mean;
            deviations.Add(deviation * deviation);
        }

        var total = deviations.Total;
        if (residual == 0)
        {
            return 1;
        }

        // Constant actual values: scikit-learn's force_finite gives 0 rather than −∞.
        return total == 0 ? 0 : 1 - (residual / total);
    }
}
