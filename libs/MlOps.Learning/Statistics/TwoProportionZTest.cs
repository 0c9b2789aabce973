namespace MlOps.Learning.Statistics;

/// <summary>
/// The two-proportion z-test Evidently uses for binary categorical features (its <c>z</c> stat test,
/// <c>proportions_diff_z_stat_ind</c> and <c>proportions_diff_z_test</c>): with the pooled proportion
/// P = (x1 + x2) / (n1 + n2), z = (p1 − p2) / √(P (1 − P) (1/n1 + 1/n2)) and the two-sided p-value 2 (1 − Φ(|z|)).
/// The p-value is computed as erfc(|z| / √2) (<see cref="SpecialFunctions.NormalSf"/>), so p-values below 1e-16 keep
/// their digits instead of rounding to 0 as Evidently's 1 − cdf does. It takes counts only: no rows are needed.
/// </summary>
public static class TwoProportionZTest
{
    /// <summary>
    /// The test of the reference proportion x1 / n1 against the current x2 / n2; the statistic is z, positive when the
    /// reference proportion is the larger. When P is 0 or 1 (no successes, or only successes, in both samples) the
    /// proportions cannot differ and z is 0/0: the result is then defined as z = 0, p = 1 (Evidently returns p = 1
    /// for two samples holding the same single value).
    /// </summary>
    /// <exception cref="ArgumentException">A count is not positive, or successes are negative or exceed their count.</exception>
    public static TestResult Test(long referenceSuccesses, long referenceCount, long currentSuccesses, long currentCount)
    {
        RequireSample(referenceSuccesses, referenceCount, nameof(referenceSuccesses), nameof(referenceCount));
        RequireSample(currentSuccesses, currentCount, nameof(currentSuccesses), nameof(currentCount));

        double n1 = referenceCount, n2 = currentCount;
        var p1 = referenceSuccesses / n1;
        var p2 = currentSuccesses / n2;
        var pooled = ((p1 * n1) + (p2 * n2)) / (n1 + n2);
        if (pooled <= 0 || pooled >= 1)
        {
            return new TestResult(0.0, 1.0);
        }

        var z = (p1 - p2) / Math.Sqrt(pooled * (1 - pooled) * ((1.0 / n1) + (1.0 / n2)));
        return new TestResult(z, 2 * SpecialFunctions.NormalSf(Math.Abs(z)));
    }

    private static void RequireSample(long successes, long count, string successesName, string countName)
    {
        if (count <= 0)
        {
            throw new ArgumentException($"{countName} is {count}; a sample needs at least one row.", countName);
        }

        if (successes < 0 || successes > count)
        {
            throw new ArgumentException(
                $"{successesName} is {successes}; it must be within 0..{count} ({countName}).", successesName);
        }
    }
}
