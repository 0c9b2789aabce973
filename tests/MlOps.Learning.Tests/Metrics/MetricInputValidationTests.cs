using MlOps.Learning.Metrics;

namespace MlOps.Learning.Tests.Metrics;

public class MetricInputValidationTests
{
    [Fact]
    public void Empty_input_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([], []));

        Assert.Equal("actual", error.ParamName);
        Assert.Contains("at least one row", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_of_different_lengths_are_refused_with_both_lengths()
    {
        var error = Assert.Throws<ArgumentException>(() => BinaryMetrics.Compute([0, 1, 0], [0.1, 0.9]));

        Assert.Equal("probability", error.ParamName);
        Assert.Contains("actual has 3 rows but probability has 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_out_of_range_is_named_with_its_index()
    {
        var error = Assert.Throws<ArgumentException>(() => BinaryMetrics.Compute([0, 1, 2, 1], [0.1, 0.9, 0.5, 0.5]));

        Assert.Contains("actual[2] is 2; labels must be in 0..1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-0.25)]
    [InlineData(1.5)]
    public void A_probability_that_is_not_finite_or_outside_zero_to_one_is_named_with_its_index(double bad)
    {
        var error = Assert.Throws<ArgumentException>(() => BinaryMetrics.Compute([0, 1, 1], [0.1, bad, bad]));

        Assert.Equal("probability", error.ParamName);
        Assert.Contains("probability[1] is", error.Message, StringComparison.Ordinal);
        Assert.Contains("must be finite and within [0, 1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_multiclass_probability_is_named_by_row_and_class()
    {
        var error = Assert.Throws<ArgumentException>(
            () => MulticlassMetrics.Compute([0, 1], [0.5, 0.5, 0.2, double.NaN], classCount: 2));

        Assert.Contains("probabilities[3] (row 1, class 1)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Multiclass_probabilities_must_hold_a_full_row_per_label()
    {
        var error = Assert.Throws<ArgumentException>(
            () => MulticlassMetrics.Compute([0, 2], [0.5, 0.25, 0.25, 0.5], classCount: 3));

        Assert.Contains("2 rows of 3 classes need 6", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_multiclass_label_out_of_range_is_named_with_its_index()
    {
        var error = Assert.Throws<ArgumentException>(
            () => MulticlassMetrics.Compute([0, -1], [0.5, 0.5, 0.5, 0.5], classCount: 2));

        Assert.Contains("actual[1] is -1; labels must be in 0..1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_regression_value_that_is_not_finite_is_named_with_its_index()
    {
        var error = Assert.Throws<ArgumentException>(
            () => RegressionMetrics.Compute([1.0, 2.0], [1.0, double.NegativeInfinity]));

        Assert.Equal("predicted", error.ParamName);
        Assert.Contains("predicted[1] is", error.Message, StringComparison.Ordinal);
    }
}
