using MlOps.Learning.Trees;

namespace MlOps.Learning.Tests.Trees;

public sealed class GradientBoostingTests
{
    private static readonly TreeOptions Small = new(NumLeaves: 8, Split: new SplitOptions(L2: 1, MinChildSamples: 5));

    [Fact]
    public void One_round_of_log_loss_is_the_base_log_odds_plus_the_closed_form_newton_step_of_each_leaf()
    {
        double[] x = [1, 2, 3, 4, 5, 6, 7, 8];
        double[] y = [0, 0, 0, 1, 0, 1, 1, 1];
        var options = new BoostingOptions(Rounds: 1, LearningRate: 0.5, Tree: new TreeOptions(NumLeaves: 2, Split: new SplitOptions(L2: 1, MinChildSamples: 1, MinChildWeight: 0)));

        var model = GradientBoosting.Train(new BoostingData([x], y), BoostingObjective.LogLoss, 2, options);

        // Base: log-odds of 4/8 = 0; every row starts at p = 0.5: g = 0.5 − y, h = 0.25.
        Assert.Equal(0, model.BaseScores[0], 12);
        var tree = model.Trees[0][0];
        var leftRows = x.Select((v, i) => (v, i)).Where(r => r.v <= tree.Thresholds[0]).Select(r => r.i).ToArray();
        var g = leftRows.Sum(i => 0.5 - y[i]);
        var h = leftRows.Length * 0.25;
        Assert.Equal(0.5 * (-g / (h + 1)), tree.Predict([x[leftRows[0]]]), 12);
        var probability = new double[1];
        model.Predict([x[leftRows[0]]], probability);
        Assert.Equal(1 / (1 + Math.Exp(-0.5 * (-g / (h + 1)))), probability[0], 12);
    }

    [Fact]
    public void Regression_lowers_the_training_loss_every_round_and_a_fixed_seed_gives_the_same_model()
    {
        var (columns, y) = Regression(3_000, seed: 4);

        var losses = Enumerable.Range(1, 5).Select(rounds =>
        {
            var model = GradientBoosting.Train(new BoostingData(columns, y), BoostingObjective.SquaredError, 0, new BoostingOptions(Rounds: rounds * 10, Tree: Small));
            return MeanSquaredError(model, columns, y);
        }).ToArray();
        var first = GradientBoosting.Train(new BoostingData(columns, y), BoostingObjective.SquaredError, 0, new BoostingOptions(Rounds: 20, Tree: Small, Seed: 9));
        var second = GradientBoosting.Train(new BoostingData(columns, y), BoostingObjective.SquaredError, 0, new BoostingOptions(Rounds: 20, Tree: Small, Seed: 9));

        Assert.True(losses.Zip(losses.Skip(1)).All(pair => pair.Second < pair.First), string.Join(", ", losses));
        Assert.True(losses[^1] < 0.2 * Variance(y), $"{losses[^1]} against a variance of {Variance(y)}");
        Assert.Equal(
            first.Trees.SelectMany(r => r).SelectMany(t => t.LeafValues.Concat(t.Thresholds)),
            second.Trees.SelectMany(r => r).SelectMany(t => t.LeafValues.Concat(t.Thresholds)));
    }

    [Fact]
    public void Softmax_grows_a_tree_a_class_a_round_and_its_probabilities_sum_to_one()
    {
        var random = new Random(8);
        var columns = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 1_500).Select(_ => random.NextDouble()).ToArray()).ToArray();
        var y = Enumerable.Range(0, 1_500).Select(i => (double)(columns[0][i] < 0.33 ? 0 : columns[1][i] < 0.5 ? 1 : 2)).ToArray();

        var model = GradientBoosting.Train(new BoostingData(columns, y), BoostingObjective.Softmax, 3, new BoostingOptions(Rounds: 30, Tree: Small));

        Assert.All(model.Trees, round => Assert.Equal(3, round.Length));
        var probabilities = new double[3];
        var correct = 0;
        for (var i = 0; i < y.Length; i++)
        {
            model.Predict([columns[0][i], columns[1][i], columns[2][i]], probabilities);
            Assert.Equal(1, probabilities.Sum(), 12);
            correct += Array.IndexOf(probabilities, probabilities.Max()) == (int)y[i] ? 1 : 0;
        }

        Assert.True(correct > 0.95 * y.Length, $"{correct} of {y.Length} right");
    }

    [Fact]
    public void Early_stopping_keeps_the_round_with_the_best_validation_loss()
    {
        // Pure noise: the validation loss is best after a few rounds and only worsens as trees fit the noise.
        var random = new Random(1);
        double[][] Noise(int rows) => Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, rows).Select(_ => random.NextDouble()).ToArray()).ToArray();
        var (training, validation) = (Noise(2_000), Noise(2_000));
        var trainingY = Enumerable.Range(0, 2_000).Select(_ => random.NextDouble()).ToArray();
        var validationY = Enumerable.Range(0, 2_000).Select(_ => random.NextDouble()).ToArray();
        var options = new BoostingOptions(Rounds: 200, LearningRate: 0.3, Tree: new TreeOptions(NumLeaves: 31, Split: new SplitOptions(MinChildSamples: 2)), EarlyStoppingRounds: 5);

        var model = GradientBoosting.Train(new BoostingData(training, trainingY), BoostingObjective.SquaredError, 0, options, new BoostingData(validation, validationY));
        var full = GradientBoosting.Train(new BoostingData(training, trainingY), BoostingObjective.SquaredError, 0, options with { Rounds = model.Trees.Length + 5, EarlyStoppingRounds = null });

        Assert.True(model.Trees.Length < 200);
        Assert.Equal(model.Trees.Length - 1, model.BestIteration);
        // Each round after the kept one, up to the patience, validates worse than the kept one.
        var best = ValidationLoss(full, validation, validationY, model.Trees.Length);
        for (var rounds = model.Trees.Length + 1; rounds <= model.Trees.Length + 5; rounds++)
        {
            Assert.True(ValidationLoss(full, validation, validationY, rounds) >= best);
        }

        Assert.Equal(best, MeanSquaredError(model, validation, validationY), 12);
    }

    [Fact]
    public void Row_and_feature_subsampling_are_seeded_and_a_tree_splits_only_on_its_features()
    {
        var (columns, y) = Regression(3_000, seed: 6);
        BoostedTrees Train(int seed) => GradientBoosting.Train(
            new BoostingData(columns, y), BoostingObjective.SquaredError, 0,
            new BoostingOptions(Rounds: 30, Tree: Small, Seed: seed, BaggingFraction: 0.5, FeatureFraction: 0.25));

        var first = Train(1);
        var again = Train(1);
        var other = Train(2);
        var full = GradientBoosting.Train(new BoostingData(columns, y), BoostingObjective.SquaredError, 0, new BoostingOptions(Rounds: 30, Tree: Small));

        static IEnumerable<double> Shape(BoostedTrees model) => model.Trees.SelectMany(r => r).SelectMany(t => t.LeafValues.Concat(t.Thresholds));
        Assert.Equal(Shape(first), Shape(again));
        Assert.NotEqual(Shape(first), Shape(other));
        // A quarter of 4 features: each tree splits on one feature only.
        Assert.All(first.Trees, round => Assert.Single(round[0].Features.Distinct()));
        Assert.True(MeanSquaredError(first, columns, y) < 0.5 * Variance(y));
        Assert.True(MeanSquaredError(full, columns, y) < MeanSquaredError(first, columns, y));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientBoosting.Train(
            new BoostingData(columns, y), BoostingObjective.SquaredError, 0, new BoostingOptions(BaggingFraction: 0)));
    }

    [Fact]
    public void Feature_importance_adds_up_each_features_split_gains_and_counts()
    {
        var (columns, y) = Regression(3_000, seed: 12);

        var model = GradientBoosting.Train(new BoostingData(columns, y), BoostingObjective.SquaredError, 0, new BoostingOptions(Rounds: 20, Tree: Small));
        var (gain, splits) = TreeEnsemblePredictor.From(model, columns.Length).FeatureImportance();

        // y = 3·x0 + 2·[x1 > 0.5] + sin(6·x2) + noise; x3 is noise alone.
        Assert.Equal(model.Trees.Sum(r => r[0].Features.Length), splits.Sum());
        Assert.Equal(model.Trees.Sum(r => r[0].Gains.Sum()), gain.Sum(), 6);
        Assert.True(gain[0] > gain[2] && gain[1] > gain[3] && gain[2] > gain[3], string.Join(", ", gain));
    }

    private static (double[][] Columns, double[] Y) Regression(int rows, int seed)
    {
        var random = new Random(seed);
        var columns = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, rows).Select(_ => random.NextDouble()).ToArray()).ToArray();
        var y = Enumerable.Range(0, rows).Select(i => (3 * columns[0][i]) + (columns[1][i] > 0.5 ? 2 : 0) + Math.Sin(6 * columns[2][i]) + (0.1 * random.NextDouble())).ToArray();
        return (columns, y);
    }

    private static double MeanSquaredError(BoostedTrees model, double[][] columns, double[] y) =>
        ValidationLoss(model, columns, y, model.Trees.Length);

    /// <summary>The mean squared error of the model's first <paramref name="rounds"/> rounds.</summary>
    private static double ValidationLoss(BoostedTrees model, double[][] columns, double[] y, int rounds)
    {
        var row = new double[columns.Length];
        var total = 0.0;
        for (var i = 0; i < y.Length; i++)
        {
            for (var f = 0; f < columns.Length; f++)
            {
                row[f] = columns[f][i];
            }

            var prediction = model.BaseScores[0];
            for (var r = 0; r < rounds; r++)
            {
                prediction += model.Trees[r][0].Predict(row);
            }

            total += (prediction - y[i]) * (prediction - y[i]);
        }

        return total / y.Length;
    }

    private static double Variance(double[] values)
    {
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Length;
    }
}
