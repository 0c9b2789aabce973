using MlOps.Learning.Evaluation;
using MlOps.Learning.Metrics;

namespace MlOps.Learning.Tests.Metrics;

public class BinaryMetricsTests
{
    [Theory]
    [InlineData("binary_ties.json")]
    [InlineData("binary_imbalanced.json")]
    [InlineData("binary_no_positive_predictions.json")]
    public void Every_metric_matches_scikit_learn(string fixture)
    {
        var json = MetricsFixture.Case(fixture);
        var expected = json.GetProperty("expected");

        var result = BinaryMetrics.Compute(
            Fixture.Ints(json.GetProperty("actual")),
            Fixture.Doubles(json.GetProperty("probability")),
            json.GetProperty("threshold").GetDouble());

        Assert.Equal(expected.GetProperty("count").GetInt32(), result.Count);
        Close.Equal(expected.GetProperty("accuracy").GetDouble(), result.Accuracy, "accuracy");
        Close.Equal(expected.GetProperty("precision").GetDouble(), result.Precision, "precision");
        Close.Equal(expected.GetProperty("recall").GetDouble(), result.Recall, "recall");
        Close.Equal(expected.GetProperty("f1").GetDouble(), result.F1, "F1");
        Close.Equal(expected.GetProperty("roc_auc").GetDouble(), result.RocAuc, "ROC AUC");
        Close.Equal(expected.GetProperty("log_loss").GetDouble(), result.LogLoss, "log-loss");
        MetricsFixture.AssertConfusion(expected.GetProperty("confusion_matrix"), result.Confusion);
    }

    [Fact]
    public void Auc_is_one_half_when_every_score_is_tied()
    {
        var result = BinaryMetrics.Compute([0, 1, 1, 0, 1], [0.3, 0.3, 0.3, 0.3, 0.3]);

        Assert.Equal(0.5, result.RocAuc);
    }

    [Fact]
    public void Auc_is_one_when_every_positive_scores_above_every_negative()
    {
        var result = BinaryMetrics.Compute([0, 1, 0, 1, 0], [0.1, 0.8, 0.4, 0.41, 0.0]);

        Assert.Equal(1.0, result.RocAuc);
    }

    [Fact]
    public void Auc_counts_a_tied_pair_as_one_half()
    {
        // Pairs (positive, negative): (0.5, 0.2) right, (0.5, 0.5) tied, (0.2, 0.2) tied, (0.2, 0.5) wrong.
        var result = BinaryMetrics.Compute([1, 0, 1, 0], [0.5, 0.5, 0.2, 0.2]);

        Assert.Equal(0.5, result.RocAuc);
    }

    [Fact]
    public void A_confident_wrong_prediction_has_a_finite_clipped_log_loss()
    {
        var result = BinaryMetrics.Compute([1, 0], [0.0, 1.0]);

        // Each row is clipped to machine epsilon: −ln(2^−52) = 52 ln 2.
        Close.Equal(52 * Math.Log(2), result.LogLoss, "log-loss");
    }

    [Fact]
    public void A_probability_equal_to_the_threshold_predicts_class_one()
    {
        var result = BinaryMetrics.Compute([0, 1], [0.25, 0.5]);

        Assert.Equal(1, result.Confusion[1, 1]);
        Assert.Equal(1.0, result.Accuracy);
    }

    [Fact]
    public void Precision_and_F1_are_zero_when_nothing_is_predicted_positive()
    {
        var result = BinaryMetrics.Compute([0, 1, 1], [0.1, 0.2, 0.3]);

        Assert.Equal(0, result.Precision);
        Assert.Equal(0, result.Recall);
        Assert.Equal(0, result.F1);
    }

    [Fact]
    public void Auc_is_refused_when_actual_holds_a_single_class()
    {
        var error = Assert.Throws<ArgumentException>(() => BinaryMetrics.Compute([1, 1, 1], [0.2, 0.6, 0.9]));

        Assert.Equal("actual", error.ParamName);
        Assert.Contains("only one class (all 1)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Live_rows_of_one_class_are_scored_with_auc_left_undefined_when_allowed()
    {
        var result = BinaryMetrics.Compute([1, 1, 1, 1], [0.2, 0.6, 0.9, 0.7], oneClassAllowed: true);
        var named = ModelEvaluator.BinaryMetricsOf([1, 1, 1, 1], [0.2, 0.6, 0.9, 0.7], oneClassAllowed: true);

        Assert.True(double.IsNaN(result.RocAuc));
        Assert.Equal(0.75, result.Accuracy);
        Assert.Equal(0.75, result.Recall);
        Assert.Equal(1, result.Precision);
        Assert.False(named.ContainsKey("auc"));
        Assert.Equal(0.75, named["accuracy"]);
        Assert.Equal((-Math.Log(0.2) - Math.Log(0.6) - Math.Log(0.9) - Math.Log(0.7)) / 4, named["logLoss"], 12);
    }
}
