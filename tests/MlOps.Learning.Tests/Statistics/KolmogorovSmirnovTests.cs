using MlOps.Learning.Statistics;

namespace MlOps.Learning.Tests.Statistics;

public class KolmogorovSmirnovTests
{
    public static TheoryData<string> SmallCases => DriftFixture.Names("ks_small.json", "cases");

    [Theory]
    [MemberData(nameof(SmallCases))]
    public void Statistic_and_p_value_match_scipy_ks_2samp(string name)
    {
        var json = DriftFixture.Case("ks_small.json", "cases", name);

        AssertMatches(json, name);
    }

    [Theory]
    [InlineData("ks_exact_3000_5000.json")]
    [InlineData("ks_exact_4000_4000.json")]
    [InlineData("ks_asymptotic_12000_15000.json")]
    [InlineData("ks_asymptotic_20000_20000.json")]
    public void Large_samples_match_scipy_on_the_exact_and_the_asymptotic_path(string file)
    {
        var json = DriftFixture.File(file).GetProperty("cases")[0];

        AssertMatches(json, file);
    }

    [Fact]
    public void Samples_rebuilt_from_a_formula_match_scipy_where_the_effective_size_is_small_or_the_statistic_tiny()
    {
        // The fixture script's grids: (i + 0.5) / 12000 and (j + 0.5) / 15000 + 0.0008, exact doubles on both sides.
        var gridA = new double[12000];
        var gridB = new double[15000];
        for (var i = 0; i < gridA.Length; i++)
        {
            gridA[i] = (i + 0.5) / 12000;
        }

        for (var j = 0; j < gridB.Length; j++)
        {
            gridB[j] = ((j + 0.5) / 15000) + 0.0008;
        }

        var cases = DriftFixture.File("ks_formula.json").GetProperty("cases");
        AssertResult(cases[0], KolmogorovSmirnov.TwoSample(gridA, gridB), "grid against shifted grid");
        AssertResult(cases[1], KolmogorovSmirnov.TwoSample(gridA, [0.25, 0.5, 0.75]), "grid against three values");
        AssertResult(cases[2], KolmogorovSmirnov.TwoSample(gridB, [0.9]), "grid against one value");
    }

    [Fact]
    public void Where_the_exact_p_value_rounds_above_one_it_falls_back_to_the_asymptotic_one_as_scipy_does()
    {
        // Interleaved samples 2i and 2i + 1: D = 1/n, where SciPy's exact sum comes out as 1 + 2e-16 and ks_2samp
        // warns and uses kstwo instead (the fixture script checks that warning).
        foreach (var json in DriftFixture.File("ks_formula.json").GetProperty("fallback_cases").EnumerateArray())
        {
            var n = json.GetProperty("n").GetInt32();
            var even = new double[n];
            var odd = new double[n];
            for (var i = 0; i < n; i++)
            {
                even[i] = 2.0 * i;
                odd[i] = (2.0 * i) + 1;
            }

            var (success, _, exact) = KolmogorovSmirnovExact.Attempt(n, n, 1.0 / n);
            Assert.False(success, $"n = {n}: the exact p-value {exact:R} should count as a failure.");
            AssertResult(json, KolmogorovSmirnov.TwoSample(even, odd), $"interleaved {n}");
        }
    }

    [Fact]
    public void The_kolmogorov_distribution_matches_kstwo_sf_and_smirnov_on_every_branch()
    {
        foreach (var row in DriftFixture.Rows("ks_small.json", "kstwo_sf_grid"))
        {
            double n = row[0], x = row[1];
            DriftFixture.Relative(row[2], KolmogorovDistribution.Survival(n, x), $"kstwo.sf({x:R}, {n})", 1e-9);
            DriftFixture.Relative(row[3], KolmogorovDistribution.Smirnov(n, x), $"smirnov({n}, {x:R})", 1e-9);
        }
    }

    [Fact]
    public void Disjoint_samples_have_statistic_one()
    {
        var result = KolmogorovSmirnov.TwoSample([1.0, 2.0, 3.0], [10.0, 11.0]);

        Assert.Equal(1.0, result.Statistic);
        // Exact: 2 of the C(5, 2) = 10 orderings are this extreme.
        Assert.Equal(0.2, result.PValue, 1e-15);
    }

    [Fact]
    public void Identical_samples_have_statistic_zero_and_p_value_one()
    {
        double[] sample = [0.5, 1.5, 1.5, 2.5, 7.0];

        var result = KolmogorovSmirnov.TwoSample(sample, sample);

        Assert.Equal(new TestResult(0.0, 1.0), result);
    }

    [Fact]
    public void Tied_values_are_compared_after_the_whole_tie()
    {
        // Both samples are 1, 1, 2 and 1, 2, 2 in some order: after the value 1, F_ref = 2/3 and F_cur = 1/3.
        var result = KolmogorovSmirnov.TwoSample([2.0, 1.0, 1.0], [2.0, 1.0, 2.0]);

        Assert.Equal(1.0 / 3.0, result.Statistic, 1e-15);
    }

    [Fact]
    public void Empty_or_non_finite_samples_are_rejected()
    {
        Assert.Contains("reference is empty", Assert.Throws<ArgumentException>(() => KolmogorovSmirnov.TwoSample([], [1.0])).Message);
        Assert.Contains("current is empty", Assert.Throws<ArgumentException>(() => KolmogorovSmirnov.TwoSample([1.0], [])).Message);
        Assert.Contains("current[1] is NaN", Assert.Throws<ArgumentException>(() => KolmogorovSmirnov.TwoSample([1.0], [1.0, double.NaN])).Message);
        Assert.Contains("reference[0] is ", Assert.Throws<ArgumentException>(() => KolmogorovSmirnov.TwoSample([double.PositiveInfinity], [1.0])).Message);
    }

    private static void AssertMatches(System.Text.Json.JsonElement json, string what)
    {
        var result = KolmogorovSmirnov.TwoSample(Fixture.Doubles(json.GetProperty("reference")), Fixture.Doubles(json.GetProperty("current")));
        AssertResult(json, result, what);
    }

    private static void AssertResult(System.Text.Json.JsonElement json, TestResult result, string what)
    {
        DriftFixture.Statistic(json.GetProperty("statistic").GetDouble(), result.Statistic, $"{what} statistic");
        DriftFixture.Relative(json.GetProperty("pvalue").GetDouble(), result.PValue, $"{what} p-value");
    }
}
