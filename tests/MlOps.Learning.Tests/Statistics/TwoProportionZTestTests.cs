using MlOps.Learning.Statistics;

namespace MlOps.Learning.Tests.Statistics;

public class TwoProportionZTestTests
{
    [Fact]
    public void Z_and_p_value_match_evidently_with_scipy_norm()
    {
        foreach (var json in DriftFixture.File("ztest.json").GetProperty("cases").EnumerateArray())
        {
            var result = TwoProportionZTest.Test(
                json.GetProperty("reference_successes").GetInt64(), json.GetProperty("reference_count").GetInt64(),
                json.GetProperty("current_successes").GetInt64(), json.GetProperty("current_count").GetInt64());

            var what = json.GetRawText();
            DriftFixture.Statistic(json.GetProperty("z").GetDouble(), result.Statistic, $"{what} z");
            DriftFixture.Relative(json.GetProperty("pvalue").GetDouble(), result.PValue, $"{what} p-value");
        }
    }

    [Fact]
    public void Equal_proportions_give_z_zero_and_p_value_one()
    {
        Assert.Equal(new TestResult(0.0, 1.0), TwoProportionZTest.Test(25, 100, 50, 200));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, 20)]
    public void Samples_with_no_variance_give_z_zero_and_p_value_one(long referenceSuccesses, long currentSuccesses)
    {
        Assert.Equal(new TestResult(0.0, 1.0), TwoProportionZTest.Test(referenceSuccesses, 10, currentSuccesses, 20));
    }

    [Fact]
    public void Invalid_counts_are_rejected()
    {
        Assert.Contains("referenceCount is 0", Assert.Throws<ArgumentException>(() => TwoProportionZTest.Test(0, 0, 1, 2)).Message);
        Assert.Contains("currentSuccesses is 3", Assert.Throws<ArgumentException>(() => TwoProportionZTest.Test(0, 1, 3, 2)).Message);
        Assert.Contains("referenceSuccesses is -1", Assert.Throws<ArgumentException>(() => TwoProportionZTest.Test(-1, 1, 1, 2)).Message);
    }
}
