namespace MlOps.Learning.Statistics;

/// <summary>
/// The two-sample Kolmogorov–Smirnov test, computed as SciPy 1.10.1's
/// <c>scipy.stats.ks_2samp(reference, current, alternative="two-sided", method="auto")</c> computes it.
/// For numeric drift the monitor keeps a sample of the training data and passes it as <c>reference</c>; the test needs
/// the raw values (no binned form of it exists).
/// </summary>
public static class KolmogorovSmirnov
{
    // ks_2samp's MAX_AUTO_N: "auto" tries the exact p-value when both samples have at most this many values.
    private const int MaxExactSize = 10000;

    /// <summary>
    /// The statistic D = sup |F_reference − F_current| over the pooled values (so ties count as SciPy counts them:
    /// both empirical distribution functions are taken just after each value), and its two-sided p-value: exact when
    /// both samples have at most 10,000 values (falling back to the asymptotic value if the exact computation fails, as
    /// SciPy does with a warning), otherwise from the asymptotic distribution <c>kstwo.sf(D, round(n1 n2 / (n1 + n2)))</c>.
    /// On the exact path the statistic is SciPy's too: h / lcm(n1, n2) with h = round(D · lcm).
    /// </summary>
    /// <exception cref="ArgumentException">A sample is empty or holds a value that is not finite.</exception>
    public static TestResult TwoSample(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        double d;
        using (var sorted = new SortedSamples(reference, current))
        {
            d = Statistic(sorted.Reference, sorted.Current);
        }

        int n1 = reference.Length, n2 = current.Length;
        if (Math.Max(n1, n2) <= MaxExactSize)
        {
            var (success, rounded, p) = KolmogorovSmirnovExact.Attempt(n1, n2, d);
            d = rounded;
            if (success)
            {
                return new TestResult(d, Math.Clamp(p, 0.0, 1.0));
            }
        }

        // ks_2samp's asymptotic branch: Smirnov's limit through kstwo with the effective sample size rounded half to even.
        double m = Math.Max(n1, n2), n = Math.Min(n1, n2);
        var effective = Math.Round(m * n / (m + n), MidpointRounding.ToEven);
        var pValue = KolmogorovDistribution.Survival(effective, d);
        return new TestResult(d, double.IsNaN(pValue) ? pValue : Math.Clamp(pValue, 0.0, 1.0));
    }

    // max over the pooled values of |searchsorted(a, v, 'right') / n1 − searchsorted(b, v, 'right') / n2|.
    private static double Statistic(ReadOnlySpan<double> sortedA, ReadOnlySpan<double> sortedB)
    {
        double n1 = sortedA.Length, n2 = sortedB.Length;
        int i = 0, j = 0;
        double maxS = 0, minS = 0;
        while (i < sortedA.Length || j < sortedB.Length)
        {
            var value = j == sortedB.Length || (i < sortedA.Length && sortedA[i] <= sortedB[j]) ? sortedA[i] : sortedB[j];
            while (i < sortedA.Length && sortedA[i] <= value)
            {
                i++;
            }

            while (j < sortedB.Length && sortedB[j] <= value)
            {
                j++;
            }

            var difference = (i / n1) - (j / n2);
            maxS = Math.Max(maxS, difference);
            minS = Math.Max(minS, -difference);
        }

        return Math.Min(Math.Max(maxS, minS), 1.0);
    }
}
