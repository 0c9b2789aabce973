using System.Buffers;

namespace MlOps.Learning.Statistics;

/// <summary>
/// Pearson's chi-square goodness-of-fit test, as SciPy 1.10.1's <c>scipy.stats.chisquare(f_obs, f_exp)</c>: statistic
/// Σ (observed − expected)² / expected and p-value <c>chi2.sf(statistic, k − 1)</c>, the survival function being
/// <see cref="SpecialFunctions.ChiSquareSf"/>. It works on binned counts, so a drift check compares the current counts
/// with counts kept from training and needs no training rows.
/// </summary>
public static class ChiSquareTest
{
    // power_divergence's tolerance on the two totals ("to pass existing tests").
    private const double TotalsTolerance = 1e-8;

    /// <summary>The test of observed counts (or frequencies) against expected ones over the same k &gt;= 2 categories.</summary>
    /// <exception cref="ArgumentException">
    /// Fewer than two categories, lengths differ, a count is negative or not finite, an expected count is not positive,
    /// or the totals differ by more than 1e-8 relative (SciPy's check).
    /// </exception>
    public static TestResult GoodnessOfFit(ReadOnlySpan<double> observed, ReadOnlySpan<double> expected)
    {
        var observedTotal = StatisticsInputs.RequireCounts(observed, nameof(observed));
        StatisticsInputs.RequireSameLength(observed.Length, nameof(observed), expected.Length, nameof(expected));
        RequireCategories(observed.Length, nameof(observed));
        for (var i = 0; i < expected.Length; i++)
        {
            if (!(expected[i] > 0 && double.IsFinite(expected[i])))
            {
                throw new ArgumentException(
                    $"expected[{i}] is {expected[i]}; expected counts must be finite and positive.", nameof(expected));
            }
        }

        var expectedTotal = System.Numerics.Tensors.TensorPrimitives.Sum(expected);
        if (Math.Abs(observedTotal - expectedTotal) / Math.Min(observedTotal, expectedTotal) > TotalsTolerance)
        {
            throw new ArgumentException(
                $"observed totals {observedTotal} but expected totals {expectedTotal}; they must agree to a relative tolerance of {TotalsTolerance}.",
                nameof(expected));
        }

        var statistic = 0.0;
        for (var i = 0; i < observed.Length; i++)
        {
            var difference = observed[i] - expected[i];
            statistic += difference * difference / expected[i];
        }

        return new TestResult(statistic, SpecialFunctions.ChiSquareSf(statistic, observed.Length - 1));
    }

    /// <summary>
    /// The test of the current counts against the reference distribution: the expected counts are the reference
    /// shares scaled to the current total, then <see cref="GoodnessOfFit"/>. Every reference bin must be non-empty.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="GoodnessOfFit"/>, or a reference bin is empty.</exception>
    public static TestResult CompareCounts(ReadOnlySpan<double> referenceCounts, ReadOnlySpan<double> currentCounts)
    {
        var referenceTotal = StatisticsInputs.RequireCounts(referenceCounts, nameof(referenceCounts));
        var currentTotal = StatisticsInputs.RequireCounts(currentCounts, nameof(currentCounts));
        StatisticsInputs.RequireSameLength(referenceCounts.Length, nameof(referenceCounts), currentCounts.Length, nameof(currentCounts));
        RequireCategories(referenceCounts.Length, nameof(referenceCounts));
        var index = referenceCounts.IndexOf(0.0);
        if (index >= 0)
        {
            throw new ArgumentException(
                $"referenceCounts[{index}] is 0; every bin needs a positive expected count.", nameof(referenceCounts));
        }

        var rented = ArrayPool<double>.Shared.Rent(referenceCounts.Length);
        try
        {
            var expected = rented.AsSpan(0, referenceCounts.Length);
            System.Numerics.Tensors.TensorPrimitives.Multiply(referenceCounts, currentTotal / referenceTotal, expected);
            return GoodnessOfFit(currentCounts, expected);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    private static void RequireCategories(int count, string name)
    {
        // With one category chi2 has no degrees of freedom (SciPy returns NaN).
        if (count < 2)
        {
            throw new ArgumentException($"{name} has {count} category; the test needs at least two.", name);
        }
    }
}
