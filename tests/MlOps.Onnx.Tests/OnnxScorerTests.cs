using Google.Protobuf;
using Microsoft.ML;
using MlOps.Contracts.Registry;
using MlOps.Learning.Data;
using MlOps.Learning.Evaluation;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Training;
using MlOps.Onnx.Export;
using MlOps.Onnx.Protos;
using MlOps.Onnx.Scoring;
using MlOps.OnnxTestModels;

namespace MlOps.Onnx.Tests;

/// <summary>
/// ONNX models made elsewhere, read through a descriptor and scored by ONNX Runtime: our own export treated as a
/// stranger's, a model ML.NET trained and converted (ML.NET's output names), and a hand-built graph over one float
/// tensor; and every descriptor that does not fit its graph, refused with the fault named.
/// </summary>
public sealed class OnnxScorerTests
{
    private static readonly ModelInput[] TableInputs =
    [
        new("age", "numeric"), new("income", "numeric"), new("member", "boolean"), new("city", "categorical"), new("plan", "categorical"),
    ];

    [Theory]
    [InlineData(ExportTable.Binary)]
    [InlineData(ExportTable.Multiclass)]
    [InlineData(ExportTable.Regression)]
    public void A_graph_read_through_its_descriptor_scores_as_the_model_that_made_it(string target)
    {
        var model = target == ExportTable.Regression
            ? LinearTrainer.Train(ExportTable.Create(target, 2_000, seed: 5), target)
            : TreeTrainer.Train(TreeTrainer.GradientBoostedTrees, ExportTable.Create(target, 2_000, seed: 5), target, options: new TreeTrainingOptions { Rounds = 20 });
        var descriptor = new ModelDescriptor(
            TaskName(model.Task),
            target,
            [.. model.Classes],
            TableInputs,
            Outputs: model.Task == LearningTask.Regression
                ? new ModelOutputNames(Value: OnnxOutputs.Value)
                : new ModelOutputNames(OnnxOutputs.Label, OnnxOutputs.Probabilities));
        var errors = new Dictionary<string, string[]>();
        using var scorer = OnnxScorer.Load(OnnxModelExport.ToOnnx(model), descriptor, errors);
        Assert.True(scorer is not null, string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        var heldOut = ExportTable.Create(target, 300, seed: 6, unseenCategories: true);
        var rows = Rows(heldOut, model.Inputs);

        var scored = scorer.Score(rows);

        // As an IScoringModel, it is evaluated like the platform's models, on the same metrics.
        var onnxMetrics = ModelEvaluator.Evaluate(scorer, heldOut).Metrics;
        Assert.All(ModelEvaluator.Evaluate(model, heldOut).Metrics, metric => Assert.Equal(metric.Value, onnxMetrics[metric.Key], 1e-4));
        for (var row = 0; row < rows.Count; row++)
        {
            var expected = model.Score(rows[row]);
            Assert.Equal(expected.Label, scored[row].Label);
            if (expected.Value is { } value)
            {
                Assert.Equal(value, scored[row].Value!.Value, 1e-5 * Math.Max(1, Math.Abs(value)));
            }
            else
            {
                Assert.All(expected.Probabilities!.Zip(scored[row].Probabilities!), pair => Assert.Equal(pair.First, pair.Second, 1e-5));
            }
        }
    }

    [Fact]
    public void A_model_trained_and_converted_by_ml_net_scores_as_ml_net_does()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        var training = Enumerable.Range(0, 2_000).Select(_ => Customer.Random(random)).ToArray();
        var trained = ExternalOnnxModels.TrainMlNet(ml, training);
        var errors = new Dictionary<string, string[]>();
        using var scorer = OnnxScorer.Load(ExternalOnnxModels.ConvertedByMlNet(ml, trained, training), ExternalOnnxModels.MlNetDescriptor(), errors);
        Assert.True(scorer is not null, string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        var heldOut = Enumerable.Range(0, 200).Select(_ => Customer.Random(random)).ToArray();
        var engine = ml.Model.CreatePredictionEngine<CustomerFeatures, MlNetVerdict>(trained);

        var scored = scorer.Score([.. heldOut.Select(c => new[] { FeatureValue.FromNumber(c.Age), FeatureValue.FromNumber(c.Income), FeatureValue.FromText(c.City) })]);

        for (var row = 0; row < heldOut.Length; row++)
        {
            var expected = engine.Predict(CustomerFeatures.Of(heldOut[row]));
            Assert.Equal(expected.Probability, scored[row].Probabilities![1], 1e-5);
            Assert.Equal(expected.PredictedLabel ? "true" : "false", scored[row].Label);
        }
    }

    [Fact]
    public void A_hand_built_graph_over_one_float_tensor_takes_its_columns_as_named_inputs()
    {
        var errors = new Dictionary<string, string[]>();
        using var scorer = OnnxScorer.Load(
            ExternalOnnxModels.LogisticGraph(weights: [0.5f, -1f, 2f], bias: 0.25f),
            new ModelDescriptor(
                TaskNames.Binary,
                "churned",
                ["stay", "leave"],
                [new("tenure", "numeric"), new("complaints", "numeric"), new("late_payments", "numeric")],
                FeatureTensor: "float_input",
                Outputs: new ModelOutputNames(Probabilities: "probability")),
            errors);
        Assert.True(scorer is not null, string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));

        var scored = scorer.Score([[FeatureValue.FromNumber(1), FeatureValue.FromNumber(2), FeatureValue.FromNumber(0.5)], [FeatureValue.FromNumber(4), FeatureValue.FromNumber(0), FeatureValue.FromNumber(0)]]);

        var first = 1 / (1 + Math.Exp(-((0.5 * 1) - (1 * 2) + (2 * 0.5) + 0.25)));
        var second = 1 / (1 + Math.Exp(-((0.5 * 4) + 0.25)));
        Assert.Equal(first, scored[0].Probabilities![1], 1e-6);
        Assert.Equal(1 - first, scored[0].Probabilities![0], 1e-6);
        Assert.Equal(first >= 0.5 ? "leave" : "stay", scored[0].Label);
        Assert.Equal(second, scored[1].Probabilities![1], 1e-6);
        Assert.Equal("leave", scored[1].Label);
        Assert.Contains("takes 3 inputs; row 0 has 2", Assert.Throws<ArgumentException>(() => scorer.Score([[FeatureValue.FromNumber(1), FeatureValue.FromNumber(2)]])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_onnx_runtime_cannot_load_is_refused_under_file()
    {
        var errors = new Dictionary<string, string[]>();

        var scorer = OnnxScorer.Load("not an onnx model"u8.ToArray(), new ModelDescriptor(TaskNames.Binary, "y", ["a", "b"], [new("x", "numeric")]), errors);

        Assert.Null(scorer);
        Assert.StartsWith("ONNX Runtime cannot load the file", Assert.Single(errors["file"]), StringComparison.Ordinal);
    }

    public static TheoryData<string, ModelDescriptor, string> WrongDescriptors() => new()
    {
        { "inputs[0].graphInput", Descriptor(inputs: [new("tenure", "numeric")]), "no input 'tenure'" },
        { "inputs[0].graphInput", Descriptor(inputs: [new("x", "categorical", "float_input")]), "holds Float; it must hold String" },
        { "featureTensor", Descriptor(featureTensor: "float_input", inputs: [new("a", "numeric"), new("b", "numeric")]), "has 3 columns; it must have 2" },
        { "featureTensor", Descriptor(featureTensor: "float_input", inputs: [new("a", "numeric"), new("b", "text"), new("c", "numeric")]), "the input 'b' is text" },
        { "outputs.probabilities", Descriptor(outputs: new ModelOutputNames(Probabilities: "Score")), "no output 'Score'" },
        { "outputs.probabilities", Descriptor(classes: ["a", "b", "c"], task: TaskNames.Multiclass), "has 1 columns; the model has 3 classes" },
        { "outputs.value", Descriptor(task: TaskNames.Regression, classes: []), "Name the graph output" },
        { "classes", Descriptor(classes: ["only"]), "two or more distinct" },
        { "task", Descriptor(task: "ranking"), "got 'ranking'" },
        { "target", Descriptor(target: null), "Name the column the model predicts" },
        { "inputs[1].type", Descriptor(featureTensor: "float_input", inputs: [new("a", "numeric"), new("b", "image"), new("c", "numeric")]), "got 'image'" },
    };

    [Theory]
    [MemberData(nameof(WrongDescriptors))]
    public void A_descriptor_that_does_not_fit_the_graph_is_refused_naming_the_fault(string key, ModelDescriptor descriptor, string message)
    {
        var errors = new Dictionary<string, string[]>();

        var scorer = OnnxScorer.Load(ExternalOnnxModels.LogisticGraph([1f, 1f, 1f], 0f), descriptor, errors);

        Assert.Null(scorer);
        Assert.True(errors.ContainsKey(key), $"expected an error under {key}; got {string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}");
        Assert.Contains(message, string.Join(" ", errors[key]), StringComparison.Ordinal);
    }

    private static ModelDescriptor Descriptor(
        string task = TaskNames.Binary, string[]? classes = null, ModelInput[]? inputs = null, string? featureTensor = null, ModelOutputNames? outputs = null,
        string? target = "churned") =>
        new(task, target, classes ?? ["stay", "leave"], inputs ?? [new("a", "numeric"), new("b", "numeric"), new("c", "numeric")], featureTensor,
            outputs ?? new ModelOutputNames(Probabilities: "probability"));

    private static string TaskName(LearningTask task) => task switch
    {
        LearningTask.BinaryClassification => TaskNames.Binary,
        LearningTask.MulticlassClassification => TaskNames.Multiclass,
        _ => TaskNames.Regression,
    };

    private static List<FeatureValue[]> Rows(DataTable table, IReadOnlyList<InputColumn> inputs) =>
        [.. Enumerable.Range(0, table.RowCount).Select(row => inputs.Select(input => ColumnFeaturizer.ValueAt(table[input.Name], row)).ToArray())];
}
