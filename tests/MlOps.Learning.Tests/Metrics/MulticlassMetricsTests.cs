using MlOps.Learning.Metrics;

namespace MlOps.Learning.Tests.Metrics;

public class MulticlassMetricsTests
{
    [Theory]
    [InlineData("multiclass_3.json")]
    [InlineData("multiclass_5.json")]
    public void Every_metric_matches_scikit_learn(string fixture)
    {
        var json = MetricsFixture.Case(fixture);
        var expected = json.GetProperty("expected");

        var result = MulticlassMetrics.Compute(
            Fixture.Ints(json.GetProperty("actual")),
            Fixture.Doubles(json.GetProperty("probabilities")),
            json.GetProperty("class_count").GetInt32());

        Assert.Equal(expected.GetProperty("count").GetInt32(), result.Count);
        Close.Equal(expected.GetProperty("accuracy").GetDouble(), result.Accuracy, "accuracy");
        Close.Equal(expected.GetProperty("macro_f1").GetDouble(), result.MacroF1, "macro F1");
        Close.Equal(expected.GetProperty("weighted_f1").GetDouble(), result.WeightedF1, "weighted F1");
        Close.Equal(expected.GetProperty("log_loss").GetDouble(), result.LogLoss, "log-loss");
        MetricsFixture.AssertConfusion(expected.GetProperty("confusion_matrix"), result.Confusion);
        AssertEach(Fixture.Doubles(expected.GetProperty("precision")), result.ClassPrecision.AsSpan(), "precision");
        AssertEach(Fixture.Doubles(expected.GetProperty("recall")), result.ClassRecall.AsSpan(), "recall");
        AssertEach(Fixture.Doubles(expected.GetProperty("f1")), result.ClassF1.AsSpan(), "F1");
        Assert.Equal(Fixture.Ints(expected.GetProperty("support")).Select(s => (long)s), result.ClassSupport);
    }

    [Fact]
    public void Tied_largest_probabilities_predict_the_first_class()
    {
        var result = MulticlassMetrics.Compute([1, 2], [0.2, 0.4, 0.4, 0.5, 0.0, 0.5], classCount: 3);

        Assert.Equal(1, result.Confusion[1, 1]);
        Assert.Equal(1, result.Confusion[2, 0]);
    }

    [Fact]
    public void Macro_F1_leaves_out_a_class_neither_present_nor_predicted()
    {
        // Class 2 never occurs: the average is over classes 0 and 1, both predicted perfectly.
        var result = MulticlassMetrics.Compute([0, 1], [0.9, 0.1, 0.0, 0.2, 0.7, 0.1], classCount: 3);

        Assert.Equal(1.0, result.MacroF1);
        Assert.Equal(0, result.ClassF1[2]);
    }

    [Fact]
    public void A_confident_wrong_prediction_has_a_finite_clipped_log_loss()
    {
        var result = MulticlassMetrics.Compute([0], [0.0, 1.0, 0.0], classCount: 3);

        Assert.True(double.IsFinite(result.LogLoss));
        Close.Equal(52 * Math.Log(2), result.LogLoss, "log-loss", 1e-12);
    }

    private static void AssertEach(double[] expected, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Close.Equal(expected[i], actual[i], $"{what} of class {i}");
        }
    }
}
