namespace MlOps.Learning.Statistics;

/// <summary>
/// The exact two-sided p-value of the two-sample Kolmogorov–Smirnov statistic, ported from SciPy 1.10.1
/// (<c>scipy/stats/_stats_py.py</c> and <c>_stats_pythran.py</c>), following Hodges (1958) and, for unequal sizes,
/// Viehmann's recursion for 1 − p (arXiv:2102.08037).
/// </summary>
internal static class KolmogorovSmirnovExact
{
    /// <summary>
    /// <c>_attempt_exact_2kssamp(n1, n2, g, d, "two-sided")</c>: rounds d to h / lcm(n1, n2) and returns whether the
    /// probability came out as a number within [0, 1], the rounded d, and the probability.
    /// </summary>
    public static (bool Success, double D, double PValue) Attempt(int n1, int n2, double d)
    {
        long g = Gcd(n1, n2);
        var lcm = n1 / g * n2;
        var h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
        d = h * 1.0 / lcm;
        if (h == 0)
        {
            return (true, d, 1.0);
        }

        var p = n1 == n2 ? ProbabilityOutsideSquare(n1, h) : OuterProbabilityInside(n1, n2, g, h);
        // SciPy treats a floating-point error or a value outside [0, 1] as failure and falls back to the asymptotic value.
        return (p >= 0 && p <= 1, d, p);
    }

    /// <summary>
    /// <c>_compute_prob_outside_square(n, h)</c>: P(D_{n,n} &gt;= h/n) = 2 (A0 (1 − A1 (1 − A2 (…)))), the alternating
    /// binomial sum of Hodges' formula with each term divided by C(2n, n) and evaluated Horner-style.
    /// </summary>
    private static double ProbabilityOutsideSquare(long n, long h)
    {
        var p = 0.0;
        var k = n / h;
        while (k >= 0)
        {
            var p1 = 1.0;
            for (long j = 0; j < h; j++)
            {
                p1 = (n - (k * h) - j) * p1 / (n + (k * h) + j + 1);
            }

            p = p1 * (1.0 - p);
            k--;
        }

        return 2 * p;
    }

    /// <summary>
    /// <c>_compute_outer_prob_inside_method(m, n, g, h)</c>: the share of lattice paths from (0, 0) to (m, n) that leave
    /// the band |x/m − y/n| &lt; h / lcm(m, n), computed column by column over a sliding window, as 1 − p directly.
    /// </summary>
    private static double OuterProbabilityInside(long m, long n, long g, long h)
    {
        if (m < n)
        {
            (m, n) = (n, m);
        }

        var mg = m / g;
        var ng = n / g;
        var minj = 0L;
        var maxj = Math.Min((long)Math.Ceiling(h / (double)mg), n + 1);
        var curlen = maxj - minj;
        var lenA = (int)Math.Min((2 * maxj) + 2, n + 1);
        var a = new double[lenA];
        Array.Fill(a, 1.0);
        a.AsSpan(0, (int)Math.Min(maxj, lenA)).Clear();
        for (long i = 1; i <= m; i++)
        {
            var lastminj = minj;
            var lastlen = curlen;
            minj = Math.Max((long)Math.Floor(((ng * i) - h) / (double)mg) + 1, 0);
            minj = Math.Min(minj, n);
            maxj = Math.Min((long)Math.Ceiling(((ng * i) + h) / (double)mg), n + 1);
            if (maxj <= minj)
            {
                return 1.0;
            }

            var value = minj == 0 ? 0.0 : 1.0;
            for (long jj = 0; jj < maxj - minj; jj++)
            {
                var j = jj + minj;
                value = ((a[jj + minj - lastminj] * i) + (value * j)) / (i + j);
                a[jj] = value;
            }

            curlen = maxj - minj;
            if (lastlen > curlen)
            {
                // Carried-over entries past the new window go back to 1 (numpy's slice stops at the array's end).
                var from = (int)(maxj - minj);
                var to = (int)Math.Min(maxj - minj + (lastlen - curlen), lenA);
                a.AsSpan(from, Math.Max(to - from, 0)).Fill(1.0);
            }
        }

        return a[maxj - minj - 1];
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
