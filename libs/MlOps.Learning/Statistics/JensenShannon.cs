namespace MlOps.Learning.Statistics;

/// <summary>
/// The Jensen–Shannon distance, as SciPy 1.10.1's <c>scipy.spatial.distance.jensenshannon(p, q)</c>: both vectors
/// are normalized to sum to 1, m = (p + q) / 2, and the distance is √((KL(p‖m) + KL(q‖m)) / 2) with natural
/// logarithms (so it lies in [0, √ln 2]). It takes binned counts or frequencies, so a drift check needs only the
/// counts kept from training.
/// </summary>
public static class JensenShannon
{
    /// <summary>The distance between two count (or frequency) vectors over the same bins.</summary>
    /// <exception cref="ArgumentException">A vector is empty or all zero, holds a negative or non-finite value, or the lengths differ.</exception>
    public static double Distance(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        var pTotal = StatisticsInputs.RequireCounts(p, nameof(p));
        var qTotal = StatisticsInputs.RequireCounts(q, nameof(q));
        StatisticsInputs.RequireSameLength(p.Length, nameof(p), q.Length, nameof(q));

        double left = 0, right = 0;
        for (var i = 0; i < p.Length; i++)
        {
            var pi = p[i] / pTotal;
            var qi = q[i] / qTotal;
            var m = (pi + qi) / 2.0;
            left += RelativeEntropy(pi, m);
            right += RelativeEntropy(qi, m);
        }

        // Rounding can leave a sum of non-negative terms a hair below 0, where SciPy would return NaN.
        return Math.Sqrt(Math.Max(left + right, 0.0) / 2.0);
    }

    // scipy.special.rel_entr(x, y) for x >= 0, y > 0: x ln(x / y), and 0 where x is 0.
    private static double RelativeEntropy(double x, double y) => x > 0 ? x * Math.Log(x / y) : 0.0;
}
