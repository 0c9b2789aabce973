using MlOps.Learning.Statistics;

namespace MlOps.Learning.Tests.Statistics;

public class SpecialFunctionsTests
{
    [Fact]
    public void Incomplete_gamma_matches_mpmath_to_1e_12_relative_and_scipy_to_1e_10()
    {
        // SciPy's Cephes igam/igamc carry ~1e-12 relative rounding themselves for large a (a ln x − x − ln Γ(a) formed
        // directly), so the tight check is against mpmath's 50-digit values.
        foreach (var row in DriftFixture.Rows("chisquare.json", "gammaincc_grid"))
        {
            double a = row[0], x = row[1];
            var q = SpecialFunctions.UpperRegularizedGamma(a, x);
            var p = SpecialFunctions.LowerRegularizedGamma(a, x);
            DriftFixture.Relative(row[4], q, $"Q({a}, {x:R}) against mpmath", 1e-12);
            DriftFixture.Relative(row[5], p, $"P({a}, {x:R}) against mpmath", 1e-12);
            DriftFixture.Relative(row[2], q, $"Q({a}, {x:R}) against SciPy", 1e-10);
            DriftFixture.Relative(row[3], p, $"P({a}, {x:R}) against SciPy", 1e-10);
        }
    }

    [Fact]
    public void Erfc_matches_scipy_to_a_few_units_in_the_last_place()
    {
        foreach (var row in DriftFixture.Rows("chisquare.json", "erfc_grid"))
        {
            DriftFixture.Relative(row[1], SpecialFunctions.Erfc(row[0]), $"erfc({row[0]:R})", 1e-15);
        }
    }

    [Fact]
    public void Log_gamma_matches_scipy_gammaln()
    {
        foreach (var row in DriftFixture.Rows("chisquare.json", "gammaln_grid"))
        {
            DriftFixture.Statistic(row[1], SpecialFunctions.LogGamma(row[0]), $"gammaln({row[0]:R})", 1e-14);
        }
    }

    [Fact]
    public void The_normal_distribution_has_its_known_values()
    {
        Assert.Equal(0.5, SpecialFunctions.NormalCdf(0), 1e-16);
        Assert.Equal(0.975, SpecialFunctions.NormalCdf(1.959963984540054), 1e-15);
        Assert.Equal(0.025, SpecialFunctions.NormalSf(1.959963984540054), 1e-15);
        // Far in the tail the survival function keeps its digits: 1 − Φ(10) = 7.619853024160527e-24.
        DriftFixture.Relative(7.619853024160527e-24, SpecialFunctions.NormalSf(10), "normal sf(10)", 1e-14);
    }

    [Fact]
    public void Invalid_arguments_give_not_a_number()
    {
        Assert.True(double.IsNaN(SpecialFunctions.UpperRegularizedGamma(0, 1)));
        Assert.True(double.IsNaN(SpecialFunctions.UpperRegularizedGamma(1, -1)));
        Assert.True(double.IsNaN(SpecialFunctions.LogGamma(-2)));
        Assert.True(double.IsNaN(SpecialFunctions.ChiSquareSf(1, 0)));
        Assert.True(double.IsNaN(SpecialFunctions.Erfc(double.NaN)));
        Assert.Equal(1.0, SpecialFunctions.ChiSquareSf(0, 3));
    }
}
