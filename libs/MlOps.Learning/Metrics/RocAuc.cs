namespace MlOps.Learning.Metrics;

/// <summary>
/// Area under the ROC curve as the Mann–Whitney statistic: the share of (positive, negative) pairs the score orders
/// correctly, a tied pair counting one half. That is exactly the trapezoid area scikit-learn's <c>roc_auc_score</c>
/// takes over distinct thresholds; counting pairs in integers only avoids its rounding.
/// </summary>
internal static class RocAuc
{
    /// <param name="actual">0 or 1, already validated.</param>
    /// <param name="score">Finite scores, already validated.</param>
    public static double Compute(ReadOnlySpan<int> actual, ReadOnlySpan<double> score)
    {
        var scores = score.ToArray();
        var labels = actual.ToArray();
        scores.AsSpan().Sort(labels.AsSpan());

        long positives = 0, negatives = 0;

        // Twice the Mann–Whitney U, so a tied pair adds 1 and everything stays an integer.
        long twiceCorrectPairs = 0;
        var start = 0;
        while (start < scores.Length)
        {
            var end = start;
            long tiedPositives = 0;
            while (end < scores.Length && scores[end] == scores[start])
            {
                tiedPositives += labels[end];
                end++;
            }

            var tiedNegatives = end - start - tiedPositives;

            // Every positive in the group outranks every negative below it and ties with those beside it.
            twiceCorrectPairs += tiedPositives * ((2 * negatives) + tiedNegatives);
            positives += tiedPositives;
            negatives += tiedNegatives;
            start = end;
        }

        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException(
                $"ROC AUC is undefined when actual holds only one class (all {(positives == 0 ? 0 : 1)}); "
                + "it needs at least one row of each.",
                nameof(actual));
        }

        return twiceCorrectPairs / (2.0 * positives * negatives);
    }
}
