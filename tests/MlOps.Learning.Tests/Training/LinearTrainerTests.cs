using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Optimization;
using MlOps.Learning.Training;

namespace MlOps.Learning.Tests.Training;

public sealed class LinearTrainerTests
{
    /// <summary>Converged far past the defaults, so both sides sit on the same optimum.</summary>
    private static readonly LbfgsOptions Tight = new() { Tolerance = 0, GradientTolerance = 1e-13, MaxIterations = 2_000 };

    [Theory]
    [InlineData("binary", LearningTask.BinaryClassification, LinearSolver.Auto)]
    [InlineData("multiclass", LearningTask.MulticlassClassification, LinearSolver.Auto)]
    [InlineData("regression", LearningTask.Regression, LinearSolver.Cholesky)]
    [InlineData("regression", LearningTask.Regression, LinearSolver.Lbfgs)]
    public void Coefficients_match_scikit_learn_within_1e_4_relative(string fixture, LearningTask task, LinearSolver solver)
    {
        var expected = Fixture.Json($"linear/{fixture}.json");
        var table = CsvTableReader.ReadFile(Fixture.PathOf($"linear/{fixture}.csv"));

        var model = LinearTrainer.Train(
            table,
            expected.GetProperty("target").GetString()!,
            options: new LinearTrainingOptions { L2 = expected.GetProperty("l2").GetDouble(), Solver = solver, Lbfgs = Tight });

        Assert.Equal(task, model.Task);
        Assert.Equal(expected.GetProperty("classes").EnumerateArray().Select(c => c.GetString()), model.Classes);
        var coefficients = expected.GetProperty("coefficients").EnumerateArray().ToArray();
        var intercepts = Fixture.Doubles(expected.GetProperty("intercepts"));
        Assert.Equal(coefficients.Length, model.Predictor.Outputs);
        for (var k = 0; k < coefficients.Length; k++)
        {
            AssertClose(intercepts[k], Linear(model).Intercepts[k], $"intercept {k}");
            foreach (var (feature, value) in Named(model, k))
            {
                var reference = coefficients[k].TryGetProperty(feature, out var known) ? known.GetDouble() : 0.0;
                AssertClose(reference, value, $"output {k}, {feature}");
            }
        }
    }

    [Theory]
    [InlineData("binary")]
    [InlineData("multiclass")]
    public void Probabilities_match_scikit_learn(string fixture)
    {
        var expected = Fixture.Json($"linear/{fixture}.json");
        var table = CsvTableReader.ReadFile(Fixture.PathOf($"linear/{fixture}.csv"));
        var model = LinearTrainer.Train(
            table, expected.GetProperty("target").GetString()!, options: new LinearTrainingOptions { L2 = 2.5, Lbfgs = Tight });

        var predictions = model.Score(table);

        var rows = expected.GetProperty("probabilities").EnumerateArray().ToArray();
        for (var row = 0; row < rows.Length; row++)
        {
            var reference = Fixture.Doubles(rows[row]);
            for (var k = 0; k < reference.Length; k++)
            {
                Assert.Equal(reference[k], predictions[row].Probabilities![k], 6);
            }
        }
    }

    [Fact]
    public void Default_settings_converge_close_to_the_optimum()
    {
        var expected = Fixture.Json("linear/binary.json");
        var table = CsvTableReader.ReadFile(Fixture.PathOf("linear/binary.csv"));

        var model = LinearTrainer.Train(table, "label", options: new LinearTrainingOptions { L2 = 2.5 });

        var reference = expected.GetProperty("coefficients")[0].GetProperty("x1").GetDouble();
        var actual = Named(model, 0).Single(pair => pair.Feature == "x1").Value;
        Assert.True(Math.Abs(actual - reference) < 1e-3 * Math.Abs(reference), $"{actual} vs {reference}");
        Assert.Equal("mean relative improvement below tolerance", model.Metadata.StopReason);
    }

    [Fact]
    public void Each_iteration_is_reported_with_a_falling_objective_and_a_snapshot_of_the_model_so_far()
    {
        var table = CsvTableReader.ReadFile(Fixture.PathOf("linear/binary.csv"));
        var iterations = new List<TrainingIteration>();
        var firstSnapshotWeights = Array.Empty<double>();

        var model = LinearTrainer.Train(
            table,
            "label",
            options: new LinearTrainingOptions { L2 = 2.5 },
            onIteration: iteration =>
            {
                iterations.Add(iteration);
                if (iteration.Iteration == 1)
                {
                    firstSnapshotWeights = Linear(iteration.Snapshot()).Weights;
                }
            });

        Assert.Equal(Enumerable.Range(1, model.Metadata.Iterations), iterations.Select(i => i.Iteration));
        Assert.True(iterations[^1].Objective < iterations[0].Objective, $"{iterations[^1].Objective} vs {iterations[0].Objective}");
        // The mean log-loss starts at ln 2 (all weights zero) and the objective is already per row: no second division.
        Assert.InRange(iterations[0].Objective, 0.05, Math.Log(2));
        Assert.NotEqual(Linear(model).Weights, firstSnapshotWeights);
        Assert.Equal(Linear(model).Weights, Linear(iterations[^1].Snapshot()).Weights);
    }

    [Fact]
    public void A_target_that_does_not_exist_is_named_in_the_error()
    {
        var table = CsvTableReader.ReadFile(Fixture.PathOf("linear/binary.csv"));

        var error = Assert.Throws<DataException>(() => LinearTrainer.Train(table, "churn"));

        Assert.Contains("'churn' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("'label'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_regression_target_holding_text_is_refused()
    {
        var table = CsvTableReader.ReadFile(Fixture.PathOf("linear/binary.csv"));

        var error = Assert.Throws<DataException>(() => LinearTrainer.Train(table, "color", LearningTask.Regression));

        Assert.Equal("The target 'color' holds text values (categorical); regression needs a numeric target.", error.Message);
    }

    [Fact]
    public void A_classification_target_with_one_class_is_refused()
    {
        var table = new DataTable(
        [
            new NumericColumn("x", [1, 2, 3], [false, false, false]),
            new CategoricalColumn("label", [0, 0, 0], ["yes"]),
        ]);

        var error = Assert.Throws<DataException>(() => LinearTrainer.Train(table, "label"));

        Assert.Equal("The target 'label' has a single class ('yes'); classification needs at least two.", error.Message);
    }

    [Fact]
    public void Rows_without_a_target_are_left_out_of_training()
    {
        var table = new DataTable(
        [
            new NumericColumn("x", [0, 1, 2, 3, 100], [false, false, false, false, false]),
            new NumericColumn("y", [1, 3, 5, 7, double.NaN], [false, false, false, false, true]),
        ]);

        var model = LinearTrainer.Train(table, "y", options: new LinearTrainingOptions { L2 = 0 });

        Assert.Equal(4, model.Metadata.TrainingRows);
        Assert.Equal(9.0, model.Score([FeatureValue.FromNumber(4)]).Value!.Value, 9);
    }

    [Fact]
    public void Text_columns_train_a_sparse_model()
    {
        var reviews = new[] { "great fruit and oak", "awful sour taste", "lovely fruit", "sour and flat", "great finish", "flat awful" };
        var table = new DataTable(
        [
            new TextColumn("review", reviews),
            new CategoricalColumn("sentiment", [0, 1, 0, 1, 0, 1], ["good", "bad"]),
        ]);

        var model = LinearTrainer.Train(table, "sentiment", options: new LinearTrainingOptions { L2 = 0.1 });

        Assert.True(model.Featurizer.IsSparse);
        Assert.Equal("good", model.Score(new Dictionary<string, object?> { ["review"] = "great fruit" }).Label);
        Assert.Equal("bad", model.Score(new Dictionary<string, object?> { ["review"] = "sour awful" }).Label);
    }

    private static IEnumerable<(string Feature, double Value)> Named(Model model, int output)
    {
        var weights = Linear(model).WeightsOf(output).ToArray();
        foreach (var column in model.Featurizer.Columns)
        {
            switch (column)
            {
                case CategoricalFeaturizer categorical:
                    for (var i = 0; i < categorical.Categories.Count; i++)
                    {
                        yield return ($"{column.Column}={categorical.Categories[i]}", weights[column.Offset + i]);
                    }

                    yield return ($"{column.Column}=(other)", weights[column.Offset + categorical.Categories.Count]);
                    break;
                default:
                    yield return (column.Column, weights[column.Offset]);
                    break;
            }
        }
    }

    private static void AssertClose(double expected, double actual, string what)
    {
        var tolerance = Math.Max(1e-4 * Math.Abs(expected), 1e-8);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected}, got {actual}");
    }

    private static LinearPredictor Linear(Model model) => Assert.IsType<LinearPredictor>(model.Predictor);
}
