using System.Text.Json;
using MlOps.Learning.Algorithms;
using MlOps.Learning.Data;
using MlOps.Learning.Evaluation;
using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.Learning.MlNet.Tests;

public sealed class MlNetLearnerTests
{
    private static readonly AlgorithmCatalog Catalog = MlNetLearners.Platform;

    public static TheoryData<string, string, string, string> EveryLearnerAndTask => new()
    {
        // algorithm, generator (its task), metric, the learner of ours it is measured beside
        { "lightgbm", "cart-abandonment", "auc", "gbdt" },
        { "lightgbm", "product-category", "accuracy", "gbdt" },
        { "lightgbm", "wine-price", "r2", "gbdt" },
        { "fasttree", "cart-abandonment", "auc", "gbdt" },
        { "fasttree", "product-category", "accuracy", "gbdt" },
        { "fasttree", "wine-price", "r2", "gbdt" },
        { "sdca", "cart-abandonment", "auc", "logistic-regression" },
        { "sdca", "product-category", "accuracy", "logistic-regression" },
        { "sdca", "wine-price", "r2", "linear-regression" },
    };

    [Theory]
    [MemberData(nameof(EveryLearnerAndTask))]
    public void Learner_trains_the_task_about_as_well_as_ours_and_its_file_scores_the_same(string algorithm, string generator, string metric, string ours)
    {
        var (training, validation, source) = GeneratedTables.Split(generator, generator == "product-category" ? 1_000 : 2_000);
        var iterations = new List<TrainingIteration>();

        // Hashed text makes thousands of sparse features, on which ML.NET's trees take ~0.1 s a round: fewer rounds
        // and buckets keep the test short, and our gbdt gets the same rounds.
        var trees = algorithm != "sdca";
        var model = Train(algorithm, training, source.Target, source.Task, iterations.Add, trees ? new() { ["rounds"] = 20, ["textHashBits"] = 8 } : new() { ["textHashBits"] = 12 });
        var reference = Train(ours, training, source.Target, source.Task, _ => { }, trees ? new() { ["rounds"] = 20 } : null);

        Assert.Equal(algorithm, model.Algorithm);
        Assert.Equal(source.Task, model.Task);
        Assert.IsType<MlNetPredictor>(model.Predictor);
        var score = ModelEvaluator.Evaluate(model, validation).Metrics[metric];
        var baseline = ModelEvaluator.Evaluate(reference, validation).Metrics[metric];
        Assert.True(score >= baseline - 0.05, $"{algorithm} {metric} {score:F4}; {ours} {baseline:F4}");
        Assert.True(model.Metadata.Iterations >= 1);
        Assert.Equal(model.Metadata.Iterations, Assert.Single(iterations).Iteration);
        Assert.True(double.IsFinite(iterations[0].Objective) && iterations[0].Objective >= 0);
        Assert.Contains(((PackagedPredictor)model.Predictor).FeatureImportance(), weight => weight > 0);

        var reloaded = Reload(model);
        var before = model.Score(validation);
        var after = reloaded.Score(validation);
        for (var row = 0; row < before.Length; row++)
        {
            Assert.Equal(before[row].Label, after[row].Label);
            Assert.Equal(before[row].Value, after[row].Value);
            Assert.Equal(before[row].Probabilities, after[row].Probabilities);
        }
    }

    [Fact]
    public void Probabilities_are_ml_nets_own()
    {
        var (training, validation, source) = GeneratedTables.Split("product-category", 1_000);

        var model = Train("lightgbm", training, source.Target, source.Task, _ => { }, new() { ["rounds"] = 10, ["textHashBits"] = 8 });

        foreach (var prediction in model.Score(validation))
        {
            Assert.Equal(1.0, prediction.Probabilities!.Sum(), 4);
            Assert.Equal(model.Classes[Array.IndexOf(prediction.Probabilities!, prediction.Probabilities!.Max())], prediction.Label);
        }
    }

    [Fact]
    public void One_model_scores_from_many_threads_at_once_as_from_one()
    {
        var (training, validation, source) = GeneratedTables.Split("cart-abandonment", 2_000);
        var model = Train("fasttree", training, source.Target, source.Task, _ => { });
        var rows = Enumerable.Range(0, validation.RowCount)
            .Select(row => model.Inputs.Select(input => Features.ColumnFeaturizer.ValueAt(validation[input.Name], row)).ToArray())
            .ToArray();
        var alone = rows.Select(row => model.Score(row).Probabilities![1]).ToArray();

        var together = new double[rows.Length];
        Parallel.For(0, rows.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var row = i % rows.Length;
            var probability = model.Score(rows[row]).Probabilities![1];
            if (i >= rows.Length * 3)
            {
                together[row] = probability;
            }
        });

        Assert.Equal(alone, together);
    }

    [Fact]
    public void Lightgbm_stops_early_on_the_rows_it_holds_out()
    {
        var (training, _, source) = GeneratedTables.Split("cart-abandonment", 3_000);

        var model = Train("lightgbm", training, source.Target, source.Task, _ => { }, new() { ["rounds"] = 2_000, ["learningRate"] = 0.5, ["earlyStoppingRounds"] = 5 });

        Assert.True(model.Metadata.Iterations < 2_000, $"{model.Metadata.Iterations} rounds");
        Assert.StartsWith("early stopping", model.Metadata.StopReason, StringComparison.Ordinal);
        Assert.InRange(model.Metadata.TrainingRows, training.RowCount * 0.9 - 1, training.RowCount * 0.9 + 1);
        Assert.Equal("2000", model.Metadata.Parameters["rounds"]);
    }

    [Fact]
    public void A_model_file_with_an_ml_net_predictor_is_refused_by_a_reader_without_ml_net()
    {
        var (training, _, source) = GeneratedTables.Split("wine-price", 1_000);
        var model = Train("sdca", training, source.Target, source.Task, _ => { });
        using var file = new MemoryStream();
        ModelFile.Save(model, file);

        file.Position = 0;
        var refused = Assert.Throws<ModelFormatException>(() => ModelFile.Load(file));

        Assert.Contains("'mlnet'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_package_is_a_format_error()
    {
        var refused = Assert.Throws<ModelFormatException>(() => MlNetPredictorReader.Instance.Read(new byte[] { 1, 2, 3 }, 4, 1));

        Assert.Contains("not an ML.NET model", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>ML.NET's learners take pictures' vectors as the featurizer writes them, like any dense features.</summary>
    [Theory]
    [InlineData("lightgbm")]
    [InlineData("fasttree")]
    [InlineData("sdca")]
    public void Learner_learns_from_picture_vectors_and_its_file_scores_the_same(string algorithm)
    {
        static DataTable Pictures(int rows, int seed)
        {
            var random = new Random(seed);
            var labels = new int[rows];
            var values = new float[rows * 16];
            for (var row = 0; row < rows; row++)
            {
                labels[row] = random.Next(3);
                for (var d = 0; d < 16; d++)
                {
                    values[(row * 16) + d] = (float)random.NextDouble() + (d % 3 == labels[row] ? 0.7f : 0);
                }
            }

            return new DataTable(
            [
                new EmbeddingColumn("photo", new Features.ImageEncoding("test-encoder", new string('b', 64), 16), values, new bool[rows]),
                new CategoricalColumn("kind", labels, ["a", "b", "c"]),
            ]);
        }

        var model = Train(algorithm, Pictures(600, 1), "kind", LearningTask.MulticlassClassification, _ => { }, algorithm == "sdca" ? null : new() { ["rounds"] = 30 });
        var test = Pictures(300, 2);

        Assert.InRange(ModelEvaluator.Evaluate(model, test).Metrics["accuracy"], 0.8, 1.0);
        Assert.Equal(model.Score(test).Select(p => p.Probabilities), Reload(model).Score(test).Select(p => p.Probabilities));
    }

    private static Model Train(
        string algorithm, DataTable training, string target, LearningTask task, Action<TrainingIteration> onIteration, Dictionary<string, double>? given = null)
    {
        var learner = Catalog.Get(algorithm);
        var json = given?.ToDictionary(pair => pair.Key, pair => JsonSerializer.SerializeToElement(pair.Value));
        var (values, errors) = AlgorithmCatalog.Read(learner, json);
        Assert.Empty(errors);
        return learner.Train(new TrainingInput(training, target, task, new HyperparameterValues(values), 1, "test"), onIteration, CancellationToken.None);
    }

    private static Model Reload(Model model)
    {
        using var file = new MemoryStream();
        ModelFile.Save(model, file);
        file.Position = 0;
        return ModelFile.Load(file, MlNetPredictorReader.All);
    }
}
