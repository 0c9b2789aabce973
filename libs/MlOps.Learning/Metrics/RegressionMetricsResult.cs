namespace MlOps.Learning.Metrics;

/// <summary>
/// Regression metrics. <see cref="R2"/> follows scikit-learn's <c>r2_score</c>: 1 − SS_res / SS_tot; when the actual
/// values are constant it is 1 for perfect predictions and 0 otherwise, and with a single row it is NaN.
/// </summary>
public sealed record RegressionMetricsResult(double Rmse, double Mae, double R2, int Count);
