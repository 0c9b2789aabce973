namespace MlOps.Learning.Metrics;

/// <summary>Binary classification metrics with scikit-learn 1.2's definitions.</summary>
public static class BinaryMetrics
{
    /// <param name="actual">Each row's class, 0 or 1. Both classes must occur, or ROC AUC is undefined.</param>
    /// <param name="probability">Each row's probability of class 1.</param>
    /// <param name="threshold">A row is predicted as class 1 when its probability is at least this.</param>
    /// <param name="oneClassAllowed">
    /// Whether rows of one class only are accepted, with ROC AUC NaN (live feedback may hold one class; a validation
    /// split may not).
    /// </param>
    /// <exception cref="ArgumentException">The inputs are empty, differ in length, or hold an invalid value.</exception>
    public static BinaryMetricsResult Compute(
        ReadOnlySpan<int> actual, ReadOnlySpan<double> probability, double threshold = 0.5, bool oneClassAllowed = false)
    {
        MetricInputs.RequireRows(actual.Length, nameof(actual));
        MetricInputs.RequireSameLength(actual.Length, probability.Length, nameof(probability));
        MetricInputs.RequireLabels(actual, 2);
        MetricInputs.RequireProbabilities(probability, nameof(probability));
        if (!double.IsFinite(threshold))
        {
            throw new ArgumentException($"The threshold is {threshold}; it must be finite.", nameof(threshold));
        }

        var rocAuc = oneClassAllowed && (!actual.Contains(0) || !actual.Contains(1)) ? double.NaN : RocAuc.Compute(actual, probability);

        var counts = new long[4];
        var loss = new NumpySum(actual.Length);
        for (var i = 0; i < actual.Length; i++)
        {
            var predicted = probability[i] >= threshold ? 1 : 0;
            counts[(actual[i] * 2) + predicted]++;
            loss.Add(LogLoss.BinaryRow(actual[i], probability[i]));
        }

        var confusion = new ConfusionMatrix(2, counts);
        var positive = ClassScores.Of(confusion, 1);
        var correct = confusion[0, 0] + confusion[1, 1];
        return new BinaryMetricsResult(
            Accuracy: (double)correct / actual.Length,
            positive.Precision,
            positive.Recall,
            positive.F1,
            rocAuc,
            LogLoss: loss.Total / actual.Length,
            confusion,
            actual.Length);
    }
}
