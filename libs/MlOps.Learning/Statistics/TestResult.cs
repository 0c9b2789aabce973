namespace MlOps.Learning.Statistics;

/// <summary>A test's statistic and its p-value (the probability, under the null hypothesis, of a statistic at least as extreme).</summary>
public readonly record struct TestResult(double Statistic, double PValue);
