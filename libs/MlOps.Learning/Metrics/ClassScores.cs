namespace MlOps.Learning.Metrics;

/// <summary>
/// Precision, recall and F1 of one class, each 0 when its denominator is 0 (scikit-learn's default
/// <c>zero_division</c>, which warns and returns 0).
/// </summary>
internal readonly record struct ClassScores(double Precision, double Recall, double F1)
{
    public static ClassScores Of(ConfusionMatrix confusion, int label)
    {
        var truePositives = confusion[label, label];
        var precision = Ratio(truePositives, confusion.PredictedCount(label));
        var recall = Ratio(truePositives, confusion.ActualCount(label));

        // F1 from the rounded precision and recall, in scikit-learn's order of operations, rather than from the counts.
        var denominator = precision + recall;
        var f1 = denominator == 0 ? 0 : 2 * precision * recall / denominator;
        return new ClassScores(precision, recall, f1);
    }

    private static double Ratio(long numerator, long denominator) =>
        denominator == 0 ? 0 : (double)numerator / denominator;
}
