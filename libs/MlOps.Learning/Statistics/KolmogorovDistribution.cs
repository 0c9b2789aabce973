namespace MlOps.Learning.Statistics;

/// <summary>
/// The survival function of the two-sided one-sample Kolmogorov–Smirnov statistic D_n, SciPy 1.10's
/// <c>scipy.stats.kstwo.sf(x, n)</c>: a port of <c>_kolmogn(n, x, cdf=False)</c> in <c>scipy/stats/_ksstats.py</c>, which
/// picks among exact and approximate methods as Simard and L'Ecuyer (2011) advise. <see cref="KolmogorovSmirnov"/>
/// uses it for its asymptotic p-value with n = round(n1·n2 / (n1 + n2)).
/// </summary>
internal static class KolmogorovDistribution
{
    private const int Scale = 128;
    private static readonly double Big = Math.ScaleB(1.0, Scale);
    private static readonly double Small = Math.ScaleB(1.0, -Scale);
    private const double LogTwoPi = 1.8378770664093454836;
    private const double SqrtTwoPi = 2.5066282746310005024;
    private const double PiSquared = Math.PI * Math.PI;
    private const double PiFour = PiSquared * PiSquared;
    private const double PiSix = PiFour * PiSquared;

    /// <summary>P(D_n &gt;= x) for a whole number n &gt;= 1; <c>_kolmogn(n, x, cdf=False)</c>.</summary>
    public static double Survival(double n, double x)
    {
        if (double.IsNaN(n) || double.IsNaN(x) || n < 1 || Math.Floor(n) != n)
        {
            return double.NaN;
        }

        if (x >= 1.0)
        {
            return 0.0;
        }

        if (x <= 0.0)
        {
            return 1.0;
        }

        var t = n * x;
        if (t <= 1.0)
        {
            // Ruben–Gambino: P(D_n <= x) = n!/n^n (2t − 1)^n for 1/2n <= x <= 1/n.
            if (t <= 0.5)
            {
                return 1.0;
            }

            double cdf;
            if (n <= 140)
            {
                cdf = 1.0;
                for (var i = 1; i <= n; i++)
                {
                    cdf *= i * (1.0 / n) * ((2 * t) - 1);
                }
            }
            else
            {
                cdf = Math.Exp(LogFactorialOverPower(n) + (n * Math.Log((2 * t) - 1)));
            }

            return Clip(1.0 - Clip(cdf));
        }

        if (t >= n - 1)
        {
            // Ruben–Gambino at the top of the range.
            return Clip(2 * Math.Pow(1.0 - x, n));
        }

        if (x >= 0.5)
        {
            // Exact: the two one-sided events cannot both happen.
            return Clip(2 * Smirnov(n, x));
        }

        var nxSquared = t * x;
        if (n <= 140)
        {
            if (nxSquared <= 0.754693)
            {
                return Clip(1.0 - DurbinMatrix(n, x));
            }

            if (nxSquared <= 4)
            {
                return Clip(1.0 - Pomeranz((int)n, x));
            }

            return Clip(2 * Smirnov(n, x));
        }

        if (nxSquared >= 370.0)
        {
            return 0.0;
        }

        if (nxSquared >= 2.2)
        {
            return Clip(2 * Smirnov(n, x));
        }

        var lower = n <= 100000 && n * Math.Pow(x, 1.5) <= 1.4 ? DurbinMatrix(n, x) : PelzGood(n, x);
        return Clip(1.0 - Clip(lower));
    }

    /// <summary>
    /// The one-sided Smirnov survival function P(D_n+ &gt;= x), <c>scipy.special.smirnov(n, x)</c>. For n up to 10⁶ it is
    /// the Birnbaum–Tingey sum x Σ_{j=0}^{⌊n(1−x)⌋} C(n, j) (x + j/n)^(j−1) (1 − x − j/n)^(n−j), its terms formed in
    /// logarithms (the log-binomials accumulated with Kahan summation). SciPy (Cephes <c>kolmogorov.c</c>) evaluates the
    /// same sum in double-double arithmetic; the two agree to about 1e-11 relative, which the fixtures check. Above 10⁶,
    /// as SciPy, it uses the approximation e^(−(6nx + 1)² / 18n).
    /// </summary>
    public static double Smirnov(double n, double x)
    {
        if (!(x >= 0 && x <= 1) || n < 1)
        {
            return double.NaN;
        }

        if (x == 0)
        {
            return 1.0;
        }

        if (x == 1)
        {
            return 0.0;
        }

        // Exact closed forms at both ends (the sum gives the same; SciPy uses them, so also for n above 10⁶).
        if (n * x <= 1)
        {
            return Clip(1.0 - (x * Math.Exp((n - 1) * Log1p(x))));
        }

        if (x >= 1.0 - (1.0 / n))
        {
            return Math.Pow(1.0 - x, n);
        }

        if (n > 1_000_000)
        {
            var root = (6.0 * n * x) + 1;
            return Math.Exp(-root * root / 18.0 / n);
        }

        var last = (long)Math.Floor(n * (1.0 - x));
        double logBinomial = 0.0, compensation = 0.0, sum = 0.0;
        for (long j = 0; j <= last; j++)
        {
            var evn = x + (j / n);
            var omevn = 1.0 - evn;
            var remaining = n - j;
            if (omevn > 0 || remaining == 0)
            {
                var log = logBinomial + ((j - 1) * Math.Log(evn)) + (remaining == 0 ? 0.0 : remaining * Math.Log(omevn));
                sum += Math.Exp(log);
            }

            // ln C(n, j + 1) = ln C(n, j) + ln((n − j) / (j + 1)), summed with Kahan's compensation.
            var step = Math.Log(remaining / (j + 1)) - compensation;
            var next = logBinomial + step;
            compensation = (next - logBinomial) - step;
            logBinomial = next;
        }

        return Clip(sum * x);
    }

    // ln(1 + x) with the rounding of 1 + x corrected (Goldberg's trick).
    private static double Log1p(double x)
    {
        var onePlus = 1.0 + x;
        return onePlus == 1.0 ? x : Math.Log(onePlus) * x / (onePlus - 1.0);
    }

    // _log_nfactorial_div_n_pow_n: ln(n! / n^n) by Stirling's series with n ln n removed up front.
    private static double LogFactorialOverPower(double n) =>
        (Math.Log(n) / 2) - n + (LogTwoPi / 2) + SpecialFunctions.StirlingCorrection(n);

    private static double Clip(double p) => double.IsNaN(p) ? p : Math.Clamp(p, 0.0, 1.0);

    /// <summary>
    /// P(D_n &lt;= d) by Durbin's matrix algorithm as Marsaglia, Tsang and Wang (2003) compute it: the k-th diagonal
    /// entry of (n!/n^n)·H^n, with scaling by 2^±128 tracked in a separate exponent. <c>_kolmogn_DMTW</c>.
    /// </summary>
    private static double DurbinMatrix(double n, double d)
    {
        if (d >= 1.0)
        {
            return 1.0;
        }

        var nd = n * d;
        if (nd <= 0.5)
        {
            return 0.0;
        }

        var k = (int)Math.Ceiling(nd);
        var h = k - nd;
        var m = (2 * k) - 1;
        var v = new double[m];
        var w = new double[m];
        var fac = 1.0;
        for (var j = 1; j <= m; j++)
        {
            w[j - 1] = fac;
            fac /= j;
            v[j - 1] = (1.0 - Math.Pow(h, j)) * fac;
        }

        var tt = Math.Pow(Math.Max((2 * h) - 1.0, 0), m) - (2 * Math.Pow(h, m));
        v[m - 1] = (1.0 + tt) * fac;

        var matrix = new double[m * m];
        for (var i = 1; i < m; i++)
        {
            for (var r = i - 1; r < m; r++)
            {
                matrix[(r * m) + i] = w[r - (i - 1)];
            }
        }

        for (var r = 0; r < m; r++)
        {
            matrix[r * m] = v[r];
        }

        for (var c = 0; c < m; c++)
        {
            matrix[((m - 1) * m) + c] = v[m - 1 - c];
        }

        var power = new double[m * m];
        for (var i = 0; i < m; i++)
        {
            power[(i * m) + i] = 1.0;
        }

        var scratch = new double[m * m];
        var exponent = 0;
        var matrixExponent = 0;
        for (var nn = (long)n; nn > 0; nn /= 2)
        {
            if (nn % 2 == 1)
            {
                Multiply(power, matrix, scratch, m);
                (power, scratch) = (scratch, power);
                exponent += matrixExponent;
            }

            Multiply(matrix, matrix, scratch, m);
            (matrix, scratch) = (scratch, matrix);
            matrixExponent *= 2;
            if (Math.Abs(matrix[((k - 1) * m) + k - 1]) > Big)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(matrix, Small, matrix);
                matrixExponent += Scale;
            }
        }

        var p = power[((k - 1) * m) + k - 1];
        for (var i = 1; i <= n; i++)
        {
            p = i * p / n;
            if (Math.Abs(p) < Small)
            {
                p *= Big;
                exponent -= Scale;
            }
        }

        if (exponent != 0)
        {
            p = Math.ScaleB(p, exponent);
        }

        return Clip(p);
    }

    // product = left · right, all m × m row-major.
    private static void Multiply(double[] left, double[] right, double[] product, int m)
    {
        Array.Clear(product);
        for (var i = 0; i < m; i++)
        {
            var row = product.AsSpan(i * m, m);
            for (var l = 0; l < m; l++)
            {
                var factor = left[(i * m) + l];
                if (factor != 0)
                {
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(right.AsSpan(l * m, m), factor, row, row);
                }
            }
        }
    }

    /// <summary>P(D_n &lt;= x) by Pomeranz's recursion (1974), two rows at a time with 2^±128 scaling. <c>_kolmogn_Pomeranz</c>.</summary>
    private static double Pomeranz(int n, double x)
    {
        var t = n * x;
        var ll = (int)Math.Floor(t);
        var f = t - ll;
        var g = Math.Min(f, 1.0 - f);
        var ceilf = f > 0 ? 1 : 0;
        var roundf = f > 0.5 ? 1 : 0;
        var npwrs = 2 * (ll + 1);
        var gpower = new double[npwrs];
        var twogpower = new double[npwrs];
        var onem2gpower = new double[npwrs];
        gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
        double gOverN = g / n, twoGOverN = 2 * g / n, oneMinusTwoGOverN = (1 - (2 * g)) / n;
        for (var m = 1; m < npwrs; m++)
        {
            gpower[m] = gpower[m - 1] * gOverN / m;
            twogpower[m] = twogpower[m - 1] * twoGOverN / m;
            onem2gpower[m] = onem2gpower[m - 1] * oneMinusTwoGOverN / m;
        }

        var v0 = new double[npwrs];
        var v1 = new double[npwrs];
        v1[0] = 1;
        int v0s = 0, v1s = 0, exponent = 0;
        var (j1, j2) = PomeranzInterval(0, n, ll, ceilf, roundf);
        for (var i = 1; i < (2 * n) + 2; i++)
        {
            var k1 = j1;
            (v0, v1) = (v1, v0);
            (v0s, v1s) = (v1s, v0s);
            Array.Clear(v1);
            (j1, j2) = PomeranzInterval(i, n, ll, ceilf, roundf);
            var powers = i == 1 || i == (2 * n) + 1 ? gpower : (i % 2 == 1 ? twogpower : onem2gpower);
            var ln2 = j2 - k1 + 1;
            if (ln2 > 0)
            {
                // np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]), entries conv_start .. conv_start + conv_len.
                var start = k1 - v0s;
                var aLength = Math.Min(ln2, npwrs - start);
                var bLength = Math.Min(ln2, npwrs);
                var convStart = j1 - k1;
                var convLength = j2 - j1 + 1;
                var max = 0.0;
                for (var idx = 0; idx < convLength; idx++)
                {
                    var kk = convStart + idx;
                    var sum = 0.0;
                    for (var a = Math.Max(0, kk - bLength + 1); a <= Math.Min(kk, aLength - 1); a++)
                    {
                        sum += v0[start + a] * powers[kk - a];
                    }

                    v1[idx] = sum;
                    max = Math.Max(max, sum);
                }

                if (max > 0 && max < Small)
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(v1, Big, v1);
                    exponent -= Scale;
                }

                v1s = v0s + j1 - k1;
            }
        }

        var answer = v1[n - v1s];
        for (var m = 1; m <= n; m++)
        {
            if (Math.Abs(answer) > Big)
            {
                answer *= Small;
                exponent += Scale;
            }

            answer *= m;
        }

        if (exponent != 0)
        {
            answer = Math.ScaleB(answer, exponent);
        }

        return Clip(answer);
    }

    // _pomeranz_compute_j1j2: the first and last non-zero entries of row i.
    private static (int J1, int J2) PomeranzInterval(int i, int n, int ll, int ceilf, int roundf)
    {
        int j1, j2;
        if (i == 0)
        {
            (j1, j2) = (-ll - ceilf - 1, ll + ceilf - 1);
        }
        else
        {
            var half = (i + 1) / 2;
            if ((i + 1) % 2 == 0)
            {
                (j1, j2) = half == n + 1
                    ? (n - ll - ceilf - 1, n + ll + ceilf - 1)
                    : (half - 1 - ll - roundf - 1, half + ll - 1 + ceilf - 1);
            }
            else
            {
                (j1, j2) = (half - 1 - ll - 1, half + ll + roundf - 1);
            }
        }

        return (Math.Max(j1 + 2, 0), Math.Min(j2, n));
    }

    /// <summary>
    /// The Pelz–Good (1976) approximation to P(D_n &lt;= x): the Li-Chien/Korolyuk expansion in 1/√n, each term
    /// rewritten with Jacobi theta functions for small z = x√n. <c>_kolmogn_PelzGood</c>.
    /// </summary>
    private static double PelzGood(double n, double x)
    {
        if (x <= 0.0)
        {
            return 0.0;
        }

        if (x >= 1.0)
        {
            return 1.0;
        }

        var z = Math.Sqrt(n) * x;
        double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
        var qlog = -PiSquared / 8 / z2;
        if (qlog < -708)
        {
            return 0.0;
        }

        var q = Math.Exp(qlog);
        var k1a = -z2;
        var k1b = PiSquared / 4;
        var k2a = (6 * z6) + (2 * z4);
        var k2b = ((2 * z4) - (5 * z2)) * PiSquared / 4;
        var k2c = PiFour * (1 - (2 * z2)) / 16;
        var k3d = PiSix * (5 - (30 * z2)) / 64;
        var k3c = PiFour * ((-60 * z2) + (212 * z4)) / 16;
        var k3b = PiSquared * ((135 * z4) - (96 * z6)) / 4;
        var k3a = (-30 * z6) - (90 * Math.Pow(z, 8));

        // Horner scheme for Σ c_i q^(i²) over odd i = 2k − 1.
        double k0 = 0, kk1 = 0, kk2 = 0, kk3 = 0;
        var maxk = (int)Math.Ceiling(16 * z / Math.PI);
        for (var k = maxk; k > 0; k--)
        {
            double m = (2 * k) - 1;
            double m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
            var qpower = Math.Pow(q, 8 * k);
            k0 = (k0 * qpower) + 1.0;
            kk1 = (kk1 * qpower) + k1a + (k1b * m2);
            kk2 = (kk2 * qpower) + k2a + (k2b * m2) + (k2c * m4);
            kk3 = (kk3 * qpower) + k3a + (k3b * m2) + (k3c * m4) + (k3d * m6);
        }

        k0 = k0 * q * SqrtTwoPi / z;
        kk1 = kk1 * q * SqrtTwoPi / (6 * z4);
        kk2 = kk2 * q * SqrtTwoPi / (72 * Math.Pow(z, 7));
        kk3 = kk3 * q * SqrtTwoPi / (6480 * Math.Pow(z, 10));

        // The other sums, over all k: K2 gets (π² k²) q^(k²), K3 gets (3π² k² z² − π⁴ k⁴) q^(k²), with q = e^(−π²/2z²).
        q = Math.Exp(-PiSquared / 2 / z2);
        var sqrt3z = Math.Sqrt(3) * z;
        double k2extra = 0, k3extra = 0;
        for (var k = maxk; k > 0; k--)
        {
            double ks2 = (double)k * k;
            var kspi = Math.PI * k;
            var qpower = Math.Pow(q, ks2);
            k2extra += ks2 * qpower;
            k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qpower;
        }

        kk2 += k2extra * PiSquared * SqrtTwoPi / (-36 * z3);
        kk3 += k3extra * PiSquared * SqrtTwoPi / (216 * z6);
        return k0 + (kk1 / Math.Sqrt(n)) + (kk2 / n) + (kk3 / Math.Pow(n, 1.5));
    }
}
