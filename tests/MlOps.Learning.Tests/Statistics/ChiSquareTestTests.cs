using MlOps.Learning.Statistics;

namespace MlOps.Learning.Tests.Statistics;

public class ChiSquareTestTests
{
    public static TheoryData<string> Cases => DriftFixture.Names("chisquare.json", "cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Statistic_and_p_value_match_scipy_chisquare(string name)
    {
        var json = DriftFixture.Case("chisquare.json", "cases", name);

        var result = ChiSquareTest.GoodnessOfFit(Fixture.Doubles(json.GetProperty("observed")), Fixture.Doubles(json.GetProperty("expected")));

        DriftFixture.Statistic(json.GetProperty("statistic").GetDouble(), result.Statistic, $"{name} statistic");
        DriftFixture.Relative(json.GetProperty("pvalue").GetDouble(), result.PValue, $"{name} p-value");
    }

    [Fact]
    public void Observed_equal_to_expected_gives_zero_with_p_value_one()
    {
        var result = ChiSquareTest.GoodnessOfFit([5.0, 10.0, 15.0], [5.0, 10.0, 15.0]);

        Assert.Equal(new TestResult(0.0, 1.0), result);
    }

    [Fact]
    public void Two_categories_give_the_normal_tail()
    {
        // k = 2: (60 − 50)²/50 · 2 = 4, and chi2.sf(4, 1) = erfc(√2) = P(|Z| > 2).
        var result = ChiSquareTest.GoodnessOfFit([60.0, 40.0], [50.0, 50.0]);

        Assert.Equal(4.0, result.Statistic, 1e-15);
        Assert.Equal(SpecialFunctions.Erfc(Math.Sqrt(2)), result.PValue, 1e-15);
    }

    [Fact]
    public void Comparing_counts_scales_the_reference_to_the_current_total()
    {
        var direct = ChiSquareTest.GoodnessOfFit([30.0, 70.0], [50.0, 50.0]);

        var compared = ChiSquareTest.CompareCounts([500.0, 500.0], [30.0, 70.0]);

        Assert.Equal(direct, compared);
    }

    [Fact]
    public void Invalid_counts_are_rejected()
    {
        Assert.Contains("same length", Assert.Throws<ArgumentException>(() => ChiSquareTest.GoodnessOfFit([1.0, 2.0], [3.0])).Message);
        Assert.Contains("observed[1] is -1", Assert.Throws<ArgumentException>(() => ChiSquareTest.GoodnessOfFit([1.0, -1.0], [1.0, -1.0])).Message);
        Assert.Contains("expected[0] is 0", Assert.Throws<ArgumentException>(() => ChiSquareTest.GoodnessOfFit([1.0, 2.0], [0.0, 3.0])).Message);
        Assert.Contains("only zeros", Assert.Throws<ArgumentException>(() => ChiSquareTest.GoodnessOfFit([0.0, 0.0], [1.0, 1.0])).Message);
        Assert.Contains("at least two", Assert.Throws<ArgumentException>(() => ChiSquareTest.GoodnessOfFit([3.0], [3.0])).Message);
        Assert.Contains("must agree", Assert.Throws<ArgumentException>(() => ChiSquareTest.GoodnessOfFit([1.0, 2.0], [1.0, 3.0])).Message);
        Assert.Contains("observed is empty", Assert.Throws<ArgumentException>(() => ChiSquareTest.GoodnessOfFit([], [])).Message);
        Assert.Contains("observed[0] is NaN", Assert.Throws<ArgumentException>(() => ChiSquareTest.GoodnessOfFit([double.NaN, 1.0], [1.0, 1.0])).Message);
        Assert.Contains("referenceCounts[1] is 0", Assert.Throws<ArgumentException>(() => ChiSquareTest.CompareCounts([4.0, 0.0], [2.0, 2.0])).Message);
    }
}
