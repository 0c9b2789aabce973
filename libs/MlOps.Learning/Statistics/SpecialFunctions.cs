namespace MlOps.Learning.Statistics;

/// <summary>
/// The special functions the drift tests need: the complementary error function (W. J. Cody's rational Chebyshev
/// approximations, CALERF, good to about 1e-16 relative), the normal distribution built on it, log-gamma (Stirling's
/// series after shifting the argument to 10 or more), and the regularized incomplete gamma functions P(a, x) and
/// Q(a, x) (series and Lentz continued fraction, as Numerical Recipes' <c>gser</c>/<c>gcf</c>, with the prefactor
/// x^a e^−x / Γ(a) formed without cancellation for large a; about 1e-13 relative). Invalid arguments give NaN, as
/// SciPy's <c>scipy.special</c> functions do.
/// </summary>
public static class SpecialFunctions
{
    private const double SqrtPiInverse = 5.6418958354775628695e-1;
    private const double HalfLogTwoPi = 0.91893853320467274178;
    private const double SqrtHalf = 0.70710678118654752440;

    // Cody's CALERF coefficients: erf on |x| <= 0.46875 (A, B), erfc on 0.46875 < |x| <= 4 (C, D), erfc beyond (P, Q).
    private static ReadOnlySpan<double> A => [3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03, 1.85777706184603153e-1];
    private static ReadOnlySpan<double> B => [2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03];
    private static ReadOnlySpan<double> C => [5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8];
    private static ReadOnlySpan<double> D => [1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03];
    private static ReadOnlySpan<double> P => [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2];
    private static ReadOnlySpan<double> Q => [2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];

    // Stirling's series: B_2j / (2j (2j − 1)) for j = 8 down to 1 (the coefficients SciPy's _ksstats.py uses).
    private static ReadOnlySpan<double> StirlingCoefficients => [-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2];

    /// <summary>erfc(x) = 1 − erf(x), by W. J. Cody's CALERF (1969; netlib specfun, 1990) with <c>JINT = 1</c>.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        var y = Math.Abs(x);
        double result;
        if (y <= 0.46875)
        {
            var ysq = y > 1.11e-16 ? y * y : 0.0;
            var xnum = A[4] * ysq;
            var xden = ysq;
            for (var i = 0; i < 3; i++)
            {
                xnum = (xnum + A[i]) * ysq;
                xden = (xden + B[i]) * ysq;
            }

            return 1.0 - (x * (xnum + A[3]) / (xden + B[3]));
        }

        if (y <= 4.0)
        {
            var xnum = C[8] * y;
            var xden = y;
            for (var i = 0; i < 7; i++)
            {
                xnum = (xnum + C[i]) * y;
                xden = (xden + D[i]) * y;
            }

            result = ScaleByGaussian(y, (xnum + C[7]) / (xden + D[7]));
        }
        else if (y >= 26.543)
        {
            result = 0.0;
        }
        else
        {
            var ysq = 1.0 / (y * y);
            var xnum = P[5] * ysq;
            var xden = ysq;
            for (var i = 0; i < 4; i++)
            {
                xnum = (xnum + P[i]) * ysq;
                xden = (xden + Q[i]) * ysq;
            }

            var tail = ysq * (xnum + P[4]) / (xden + Q[4]);
            result = ScaleByGaussian(y, (SqrtPiInverse - tail) / y);
        }

        return x < 0 ? 2.0 - result : result;
    }

    /// <summary>The standard normal distribution function Φ(x).</summary>
    public static double NormalCdf(double x) => 0.5 * Erfc(-x * SqrtHalf);

    /// <summary>The standard normal survival function 1 − Φ(x), without the cancellation of computing 1 − Φ.</summary>
    public static double NormalSf(double x) => 0.5 * Erfc(x * SqrtHalf);

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0) || double.IsPositiveInfinity(x))
        {
            return double.IsPositiveInfinity(x) ? x : double.NaN;
        }

        if (x >= 10)
        {
            return Stirling(x);
        }

        // Γ(x) = Γ(x + k) / (x (x + 1) … (x + k − 1)), with x + k >= 10 where the series is accurate.
        var product = 1.0;
        while (x < 10)
        {
            product *= x;
            x += 1;
        }

        return Stirling(x) - Math.Log(product);
    }

    /// <summary>The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), for a &gt; 0 and x &gt;= 0 (Cephes <c>igamc</c>).</summary>
    public static double UpperRegularizedGamma(double a, double x) => IncompleteGamma(a, x, upper: true);

    /// <summary>The regularized lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a) = 1 − Q(a, x) (Cephes <c>igam</c>).</summary>
    public static double LowerRegularizedGamma(double a, double x) => IncompleteGamma(a, x, upper: false);

    /// <summary>The chi-square survival function with <paramref name="degreesOfFreedom"/> &gt; 0, as SciPy's <c>chi2.sf</c> (<c>chdtrc</c>): Q(df / 2, x / 2).</summary>
    public static double ChiSquareSf(double x, double degreesOfFreedom)
    {
        if (double.IsNaN(x) || !(degreesOfFreedom > 0))
        {
            return double.NaN;
        }

        return x <= 0 ? 1.0 : UpperRegularizedGamma(degreesOfFreedom / 2, x / 2);
    }

    /// <summary>Σ B_2j / (2j (2j − 1) x^(2j − 1)) for j = 1..8, the correction in Stirling's series for ln Γ(x).</summary>
    internal static double StirlingCorrection(double x)
    {
        var r = 1.0 / x;
        var r2 = r * r;
        var poly = 0.0;
        foreach (var c in StirlingCoefficients)
        {
            poly = (poly * r2) + c;
        }

        return r * poly;
    }

    private static double Stirling(double x) => ((x - 0.5) * Math.Log(x)) - x + HalfLogTwoPi + StirlingCorrection(x);

    // P(a, x) by its series below a + 1, Q(a, x) by the continued fraction above, where each converges fast; the other
    // function is 1 minus it. (Below a + 1, Q is small only for a well under 1, e.g. Q(0.01, 1) ≈ 0.002, where the
    // subtraction still leaves ~1e-13 relative.)
    private static double IncompleteGamma(double a, double x, bool upper)
    {
        if (!(a > 0) || !(x >= 0) || double.IsInfinity(a))
        {
            return double.NaN;
        }

        if (x == 0 || double.IsPositiveInfinity(x))
        {
            return (x == 0) == upper ? 1.0 : 0.0;
        }

        if (x < a + 1)
        {
            var p = LowerSeries(a, x);
            return upper ? 1.0 - p : p;
        }

        var q = UpperContinuedFraction(a, x);
        return upper ? q : 1.0 - q;
    }

    // exp(−y²) · value, with y² split as Cody does so the exponential keeps full precision.
    private static double ScaleByGaussian(double y, double value)
    {
        var ysq = Math.Truncate(y * 16.0) / 16.0;
        var del = (y - ysq) * (y + ysq);
        return Math.Exp(-ysq * ysq) * Math.Exp(-del) * value;
    }

    // x^a e^−x / Γ(a). For large a the exponent a ln x − x − ln Γ(a) is a difference of large numbers; written with
    // Stirling's series as a·(ln(1 + u) − u) + ½ ln a − ½ ln 2π − correction(a), u = (x − a) / a, it loses nothing.
    private static double Prefactor(double a, double x)
    {
        if (a < 10)
        {
            return Math.Exp((a * Math.Log(x)) - x - LogGamma(a));
        }

        var u = (x - a) / a;
        return Math.Exp((a * Log1pMinusX(u, x / a)) + (0.5 * Math.Log(a)) - HalfLogTwoPi - StirlingCorrection(a));
    }

    // ln(1 + u) − u for u = r − 1 > −1, by its series near 0 where the subtraction would cancel, else from r itself
    // (1 + u would lose the digits of a small r).
    private static double Log1pMinusX(double u, double r)
    {
        if (Math.Abs(u) >= 0.25)
        {
            return Math.Log(r) - u;
        }

        // −u²/2 + u³/3 − u⁴/4 + …; |u| < 1/4 needs at most ~30 terms for 1e-17.
        var power = u * u;
        var sum = 0.0;
        for (var k = 2; k < 200; k++)
        {
            var term = power / k;
            sum += (k % 2 == 0) ? -term : term;
            if (Math.Abs(term) <= 1e-17 * Math.Abs(sum))
            {
                break;
            }

            power *= u;
        }

        return sum;
    }

    // P(a, x) by its series (Numerical Recipes' gser), for x < a + 1.
    private static double LowerSeries(double a, double x)
    {
        var ap = a;
        var term = 1.0 / a;
        var sum = term;
        for (var n = 0; n < 100_000; n++)
        {
            ap += 1;
            term *= x / ap;
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * 1e-17)
            {
                break;
            }
        }

        return sum * Prefactor(a, x);
    }

    // Q(a, x) by its continued fraction (Numerical Recipes' gcf, modified Lentz), for x >= a + 1.
    private static double UpperContinuedFraction(double a, double x)
    {
        const double tiny = 1e-300;
        var b = x + 1 - a;
        var c = 1 / tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < 100_000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            if (Math.Abs(d) < tiny)
            {
                d = tiny;
            }

            c = b + (an / c);
            if (Math.Abs(c) < tiny)
            {
                c = tiny;
            }

            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 3e-16)
            {
                break;
            }
        }

        return Prefactor(a, x) * h;
    }
}
