using MlOps.Learning.Metrics;

namespace MlOps.Learning.Tests.Metrics;

public class RegressionMetricsTests
{
    [Theory]
    [InlineData("regression.json")]
    [InlineData("regression_constant_actual.json")]
    public void Every_metric_matches_scikit_learn(string fixture)
    {
        var json = MetricsFixture.Case(fixture);

        var result = RegressionMetrics.Compute(
            Fixture.Doubles(json.GetProperty("actual")), Fixture.Doubles(json.GetProperty("predicted")));

        AssertMatches(json.GetProperty("expected"), result, Close.Tolerance);
    }

    [Fact]
    public void Sums_over_a_hundred_thousand_rows_match_numpy_to_the_last_digits()
    {
        // The inputs are rebuilt from the formula the fixture script used; every value is an exact double.
        const int n = 100_000;
        var actual = new double[n];
        var predicted = new double[n];
        for (var i = 0; i < n; i++)
        {
            actual[i] = 1e6 + ((i * 7919L) % 10007 / 64.0);
            predicted[i] = actual[i] + ((((i * 31L) % 97) - 48) / 128.0);
        }

        var result = RegressionMetrics.Compute(actual, predicted);

        AssertMatches(MetricsFixture.Case("regression_large.json").GetProperty("expected"), result, 1e-12);
    }

    [Fact]
    public void R2_is_one_for_perfect_predictions_of_constant_values()
    {
        var result = RegressionMetrics.Compute([2.5, 2.5, 2.5], [2.5, 2.5, 2.5]);

        Assert.Equal(1.0, result.R2);
        Assert.Equal(0.0, result.Rmse);
    }

    [Fact]
    public void R2_is_not_a_number_for_a_single_row()
    {
        var result = RegressionMetrics.Compute([1.0], [2.0]);

        Assert.True(double.IsNaN(result.R2));
        Assert.Equal(1.0, result.Mae);
    }

    private static void AssertMatches(System.Text.Json.JsonElement expected, RegressionMetricsResult result, double tolerance)
    {
        Assert.Equal(expected.GetProperty("count").GetInt32(), result.Count);
        Close.Equal(expected.GetProperty("rmse").GetDouble(), result.Rmse, "RMSE", tolerance);
        Close.Equal(expected.GetProperty("mae").GetDouble(), result.Mae, "MAE", tolerance);
        Close.Equal(expected.GetProperty("r2").GetDouble(), result.R2, "R2", tolerance);
    }
}
