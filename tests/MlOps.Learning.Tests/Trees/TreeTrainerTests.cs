using System.Text;
using MlOps.Learning.Data;
using MlOps.Learning.Models;
using MlOps.Learning.Tests.Models;
using MlOps.Learning.Training;
using MlOps.Learning.Trees;

namespace MlOps.Learning.Tests.Trees;

public sealed class TreeTrainerTests
{
    private static readonly TreeTrainingOptions Quick = new() { Rounds = 20, NumLeaves = 8, MinChildSamples = 5, Seed = 3, DataSha256 = "abc" };

    public static TheoryData<string, string> Cases() => new()
    {
        { TreeTrainer.GradientBoostedTrees, "binary" },
        { TreeTrainer.GradientBoostedTrees, "multiclass" },
        { TreeTrainer.GradientBoostedTrees, "regression" },
        { TreeTrainer.RandomForestAlgorithm, "binary" },
        { TreeTrainer.RandomForestAlgorithm, "multiclass" },
        { TreeTrainer.RandomForestAlgorithm, "regression" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_tree_model_read_back_from_its_file_scores_every_row_identically_and_beats_the_linear_one(string algorithm, string fixture)
    {
        var (table, target) = Fixture(fixture);
        var linear = ModelFileTests.Train(fixture).Model;

        var model = TreeTrainer.Train(algorithm, table, target, options: Quick);
        var loaded = ModelFile.Load(new MemoryStream(Save(model)));

        Assert.Equal(algorithm, loaded.Algorithm);
        Assert.IsType<TreeEnsemblePredictor>(loaded.Predictor);
        var before = model.Score(table);
        var after = loaded.Score(table);
        for (var row = 0; row < table.RowCount; row++)
        {
            Assert.Equal(before[row], after[row], PredictionComparer.Instance);
        }

        Assert.Equal(Save(model), Save(loaded));
        // The classification fixtures hold thresholds and interactions the trees fit better than the linear model; the
        // regression one is linear, where the trees still explain most of the variance.
        var ours = TrainingError(model, table, target);
        var limit = model.Task == LearningTask.Regression ? 0.3 * Variance(((NumericColumn)table[target]).Values) : TrainingError(linear, table, target);
        Assert.True(ours < limit, $"{algorithm} {fixture}: {ours} against {limit}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_batch_path_scores_a_table_as_row_by_row_scoring_does(string algorithm, string fixture)
    {
        var (table, target) = Fixture(fixture);
        var model = TreeTrainer.Train(algorithm, table, target, options: Quick);
        var inputs = model.Inputs.Select(input => table[input.Name]).ToArray();

        var batch = model.Score(table);

        for (var row = 0; row < table.RowCount; row++)
        {
            var values = new Dictionary<string, object?>();
            for (var i = 0; i < inputs.Length; i++)
            {
                values[model.Inputs[i].Name] = inputs[i] switch
                {
                    NumericColumn numeric => numeric.Missing[row] ? null : numeric.Values[row],
                    CategoricalColumn categorical => categorical.ValueAt(row),
                    _ => throw new ArgumentException(inputs[i].GetType().Name),
                };
            }

            Assert.Equal(model.Score(values), batch[row], PredictionComparer.Instance);
        }
    }

    [Fact]
    public void Multiclass_probabilities_sum_to_one_for_boosting_and_forests()
    {
        var (table, target) = Fixture("multiclass");
        foreach (var algorithm in new[] { TreeTrainer.GradientBoostedTrees, TreeTrainer.RandomForestAlgorithm })
        {
            var model = TreeTrainer.Train(algorithm, table, target, options: Quick);
            foreach (var prediction in model.Score(table))
            {
                Assert.Equal(1, prediction.Probabilities!.Sum(), 9);
                Assert.All(prediction.Probabilities!, p => Assert.InRange(p, 0, 1));
            }
        }
    }

    [Fact]
    public void The_same_seed_gives_a_byte_identical_file_and_a_forest_does_not_depend_on_the_number_of_workers()
    {
        var (table, target) = Fixture("binary");

        var one = Save(TreeTrainer.Train(TreeTrainer.RandomForestAlgorithm, table, target, options: Quick with { Threads = 1 }));
        var three = Save(TreeTrainer.Train(TreeTrainer.RandomForestAlgorithm, table, target, options: Quick with { Threads = 3 }));
        var boosted = Save(TreeTrainer.Train(TreeTrainer.GradientBoostedTrees, table, target, options: Quick));
        var boostedAgain = Save(TreeTrainer.Train(TreeTrainer.GradientBoostedTrees, table, target, options: Quick));
        var otherSeed = Save(TreeTrainer.Train(TreeTrainer.RandomForestAlgorithm, table, target, options: Quick with { Seed = 4 }));

        Assert.Equal(one, three);
        Assert.Equal(boosted, boostedAgain);
        Assert.NotEqual(one, otherSeed);
    }

    [Fact]
    public void A_one_tree_forest_without_bootstrap_is_the_best_stump_with_each_sides_mean()
    {
        double[] x = [1, 2, 3, 4, 5, 6, 7, 8];
        double[] y = [2, 3, 2, 3, 10, 11, 10, 12];

        var forest = RandomForest.Train(
            new BoostingData([x], y),
            BoostingObjective.SquaredError,
            0,
            new ForestOptions(Trees: 1, Tree: ForestOptions.DefaultTree with { NumLeaves = 2 }, Bootstrap: false));

        var margins = new double[1];
        forest.MarginsOfRow([4], margins);
        Assert.Equal(2.5, margins[0], 12);
        forest.MarginsOfRow([5], margins);
        Assert.Equal(10.75, margins[0], 12);
        Assert.Equal(4.5, forest.Trees[0][0].Thresholds[0]);
    }

    [Fact]
    public void Missing_numbers_and_unseen_categories_are_scored_and_the_file_keeps_missing_values_missing()
    {
        var (table, target) = Fixture("binary");
        var model = TreeTrainer.Train(TreeTrainer.GradientBoostedTrees, table, target, options: Quick);

        var prediction = model.Score(new Dictionary<string, object?> { ["x1"] = null, ["x2"] = 60.0, ["color"] = "ultraviolet" });
        var json = Encoding.UTF8.GetString(Save(model));

        Assert.Equal(1, prediction.Probabilities!.Sum(), 12);
        Assert.Contains("\"imputedValue\":null", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"trees\",\"ensemble\":\"boosted\",\"objective\":\"log-loss\"", json, StringComparison.Ordinal);
        Assert.Contains("\"importance\":{\"gain\":[", json, StringComparison.Ordinal);
        Assert.Equal("20", model.Metadata.Parameters["rounds"]);
        Assert.Equal("8", model.Metadata.Parameters["numLeaves"]);
    }

    [Fact]
    public void A_categorical_column_is_split_natively_into_sets_of_categories_kept_in_the_file()
    {
        // 40 cities, a random half of them "yes": one split on the set separates the classes; one-hot would need 20.
        var random = new Random(6);
        var cities = Enumerable.Range(0, 40).Select(i => $"city{i:00}").ToArray();
        var yes = cities.Where(_ => random.NextDouble() < 0.5).ToHashSet();
        var rows = Enumerable.Range(0, 4_000).Select(_ => cities[random.Next(cities.Length)]).ToArray();
        var table = new DataTable(
        [
            new CategoricalColumn("city", rows.Select(city => Array.IndexOf(cities, city)).ToArray(), cities),
            new CategoricalColumn("answer", rows.Select(city => yes.Contains(city) ? 1 : 0).ToArray(), ["no", "yes"]),
        ]);

        var model = TreeTrainer.Train(
            TreeTrainer.GradientBoostedTrees, table, "answer", options: new TreeTrainingOptions { Rounds = 1, NumLeaves = 2, MinChildSamples = 1 });
        var loaded = ModelFile.Load(new MemoryStream(Save(model)));

        var tree = ((TreeEnsemblePredictor)loaded.Predictor).Trees[0][0];
        var featurizer = (MlOps.Learning.Features.CategoricalFeaturizer)loaded.Featurizer.Columns[0];
        var leftCities = tree.LeftCategories![0].Bins().Select(code => featurizer.Categories[code]).ToHashSet();
        Assert.True(leftCities.SetEquals(yes) || leftCities.SetEquals(cities.Except(yes)), string.Join(",", leftCities));
        Assert.All(cities, city => Assert.Equal(yes.Contains(city) ? "yes" : "no", loaded.Score(new Dictionary<string, object?> { ["city"] = city }).Label));
        Assert.Equal(Save(model), Save(loaded));
        Assert.Contains("\"encoding\":\"codes\"", Encoding.UTF8.GetString(Save(model)), StringComparison.Ordinal);
    }

    [Fact]
    public void Early_stopping_without_a_validation_table_holds_out_rows_and_keeps_the_best_round()
    {
        // A target that is pure noise: the held-out loss stops improving within a few rounds.
        var random = new Random(2);
        var table = new DataTable(
        [
            new NumericColumn("a", Enumerable.Range(0, 2_000).Select(_ => random.NextDouble()).ToArray(), new bool[2_000]),
            new NumericColumn("y", Enumerable.Range(0, 2_000).Select(_ => random.NextDouble()).ToArray(), new bool[2_000]),
        ]);

        var model = TreeTrainer.Train(
            TreeTrainer.GradientBoostedTrees, table, "y", options: Quick with { Rounds = 500, EarlyStoppingRounds = 5, LearningRate = 0.3 });

        var trees = (TreeEnsemblePredictor)model.Predictor;
        Assert.True(trees.Trees.Length < 100, $"{trees.Trees.Length} rounds kept");
        Assert.Equal(trees.Trees.Length, model.Metadata.Iterations);
        Assert.StartsWith("early stopping", model.Metadata.StopReason, StringComparison.Ordinal);
        Assert.Equal(1_800, model.Metadata.TrainingRows);
    }

    [Fact]
    public void A_tree_whose_children_point_outside_it_makes_the_file_damaged()
    {
        var (table, target) = Fixture("regression");
        var json = Encoding.UTF8.GetString(Save(TreeTrainer.Train(TreeTrainer.GradientBoostedTrees, table, target, options: Quick)));
        var start = json.IndexOf("\"left\":[", StringComparison.Ordinal) + "\"left\":[".Length;
        var broken = json[..start] + "99" + json[json.IndexOf(',', start)..];

        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(new MemoryStream(Encoding.UTF8.GetBytes(broken))));

        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
        Assert.Contains("child index 99", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2_000, 1, 131)]
    [InlineData(2_000, 2, 65)]
    [InlineData(40, 2, 3_276)]
    [InlineData(10, 2, 4_096)]
    [InlineData(1_000_000, 1, 2)]
    public void The_histograms_kept_a_grower_stay_within_the_budget(int features, int growers, int expected)
    {
        // 4 KiB a feature a histogram, 1 GiB for all growers; at least 2 a grower, at most one a leaf of the largest tree.
        Assert.Equal(expected, TreeTrainer.HistogramsWithinBudget(features, growers));
    }

    [Fact]
    public void Bad_settings_and_unknown_algorithms_are_refused_with_clear_messages()
    {
        var table = new DataTable(
        [
            new TextColumn("review", ["good", "bad", "good", "bad"]),
            new NumericColumn("y", [1, 0, 1, 0], new bool[4]),
        ]);

        var leaves = Assert.Throws<ArgumentException>(() => TreeTrainer.Train(TreeTrainer.GradientBoostedTrees, table, "y", options: new() { NumLeaves = 1 }));
        var bits = Assert.Throws<ArgumentException>(() => TreeTrainer.Train(TreeTrainer.GradientBoostedTrees, table, "y", options: new() { TextHashBits = 24 }));
        var unknown = Assert.Throws<ArgumentException>(() => TreeTrainer.Train("boosted-stumps", table, "y"));

        Assert.Contains("numLeaves must be between 2 and 4096", leaves.Message, StringComparison.Ordinal);
        Assert.Contains("textHashBits must be between 4 and 20 for trees", bits.Message, StringComparison.Ordinal);
        Assert.Contains("known: gbdt, random-forest", unknown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TreeTrainer.GradientBoostedTrees)]
    [InlineData(TreeTrainer.RandomForestAlgorithm)]
    public void Trees_learn_from_the_words_of_a_text_column_among_its_most_frequent_hashed_buckets(string algorithm)
    {
        // A review is "yes" when it holds more of the liked words than of the disliked ones; fillers carry nothing.
        string[] liked = ["great", "love", "superb", "fresh"];
        string[] disliked = ["awful", "stale", "broken", "late"];
        string[] fillers = ["the", "box", "arrived", "and", "it", "was", "a", "parcel", "today", "with", "my", "order"];
        var random = new Random(13);
        var reviews = new string?[3_000];
        var answers = new int[reviews.Length];
        for (var row = 0; row < reviews.Length; row++)
        {
            var good = random.Next(3);
            var bad = random.Next(3);
            var words = Enumerable.Range(0, good).Select(_ => liked[random.Next(liked.Length)])
                .Concat(Enumerable.Range(0, bad).Select(_ => disliked[random.Next(disliked.Length)]))
                .Concat(Enumerable.Range(0, 6).Select(_ => fillers[random.Next(fillers.Length)]))
                .OrderBy(_ => random.Next())
                .ToArray();
            reviews[row] = row % 50 == 0 ? null : string.Join(' ', words);
            answers[row] = reviews[row] is not null && good > bad ? 1 : 0;
        }

        var table = new DataTable(
        [
            new TextColumn("review", reviews),
            new NumericColumn("stars", Enumerable.Range(0, reviews.Length).Select(_ => random.NextDouble()).ToArray(), new bool[reviews.Length]),
            new CategoricalColumn("answer", answers, ["no", "yes"]),
        ]);

        var model = TreeTrainer.Train(algorithm, table, "answer", options: new TreeTrainingOptions { Rounds = 60, NumLeaves = 15, MinChildSamples = 5, MaxTextFeatures = 200 });
        var loaded = ModelFile.Load(new MemoryStream(Save(model)));

        var predictions = loaded.Score(table);
        var accuracy = predictions.Where((prediction, row) => prediction.Label == (answers[row] == 1 ? "yes" : "no")).Count() / (double)reviews.Length;
        Assert.True(accuracy > 0.9, $"{algorithm}: training accuracy {accuracy}");
        Assert.Equal("yes", loaded.Score(new Dictionary<string, object?> { ["review"] = "great superb love and fresh", ["stars"] = 0.5 }).Label);
        Assert.Equal("no", loaded.Score(new Dictionary<string, object?> { ["review"] = "awful stale broken and late", ["stars"] = 0.5 }).Label);
        Assert.Equal(Save(model), Save(loaded));
        var trees = (TreeEnsemblePredictor)loaded.Predictor;
        Assert.Equal(loaded.Featurizer.Width, trees.Width);
        // The splits read hashed buckets of the text column (words and their pieces), of which at most 200 were taken.
        var text = loaded.Featurizer.Columns[0];
        var buckets = trees.Trees.SelectMany(member => member).SelectMany(tree => tree.Features).Where(f => f >= text.Offset && f < text.Offset + text.Width).Distinct().Count();
        Assert.InRange(buckets, 4, 200);
    }

    [Fact]
    public void Every_round_is_reported_with_the_training_loss_falling_and_a_usable_snapshot()
    {
        var (table, target) = Fixture("regression");
        var iterations = new List<TrainingIteration>();

        var model = TreeTrainer.Train(TreeTrainer.GradientBoostedTrees, table, target, options: Quick, onIteration: iterations.Add);

        Assert.Equal(Enumerable.Range(1, 20), iterations.Select(i => i.Iteration));
        Assert.True(iterations[^1].Objective < iterations[0].Objective);
        var snapshot = iterations[4].Snapshot();
        Assert.Equal(5, ((TreeEnsemblePredictor)snapshot.Predictor).Trees.Length);
        Assert.Equal(model.Score(table)[0].Value is { } value ? Math.Round(value, 6) : 0, Math.Round(iterations[^1].Snapshot().Score(table)[0].Value!.Value, 6));
    }

    private static (DataTable Table, string Target) Fixture(string name) =>
        (CsvTableReader.ReadFile(Tests.Fixture.PathOf($"linear/{name}.csv")), Tests.Fixture.Json($"linear/{name}.json").GetProperty("target").GetString()!);

    /// <summary>Training log-loss (classification) or mean squared error (regression).</summary>
    private static double TrainingError(Model model, DataTable table, string target)
    {
        var predictions = model.Score(table);
        var column = table[target];
        var total = 0.0;
        for (var row = 0; row < table.RowCount; row++)
        {
            if (model.Task == LearningTask.Regression)
            {
                var error = predictions[row].Value!.Value - ((NumericColumn)column).Values[row];
                total += error * error;
            }
            else
            {
                var label = ColumnText(column, row);
                var index = model.Classes.ToList().IndexOf(label);
                total -= Math.Log(Math.Max(predictions[row].Probabilities![index], 1e-15));
            }
        }

        return total / table.RowCount;
    }

    private static double Variance(double[] values) => values.Select(v => (v - values.Average()) * (v - values.Average())).Average();

    private static string ColumnText(DataColumn column, int row) => column switch
    {
        CategoricalColumn categorical => categorical.ValueAt(row)!,
        NumericColumn numeric => numeric.Values[row].ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new ArgumentException(column.GetType().Name),
    };

    private static byte[] Save(Model model)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        return stream.ToArray();
    }

    private sealed class PredictionComparer : IEqualityComparer<Prediction>
    {
        public static PredictionComparer Instance { get; } = new();

        public bool Equals(Prediction? x, Prediction? y) =>
            x!.Label == y!.Label && x.Value == y.Value && (x.Probabilities ?? []).SequenceEqual(y.Probabilities ?? []);

        public int GetHashCode(Prediction obj) => 0;
    }
}
