using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Training;
using MlOps.Onnx.Export;
using MlOps.TestSupport;

namespace MlOps.Onnx.Tests;

/// <summary>
/// Every algorithm and task, exported and scored by ONNX Runtime on held-out rows (missing values and categories never
/// seen in training included), agrees with the platform's own scorer; the file passes ONNX's own checker.
/// </summary>
public sealed class OnnxExportTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string, string> AlgorithmsAndTasks() => new()
    {
        { LinearTrainer.LogisticRegression, ExportTable.Binary },
        { LinearTrainer.LogisticRegression, ExportTable.Multiclass },
        { LinearTrainer.LinearRegression, ExportTable.Regression },
        { TreeTrainer.GradientBoostedTrees, ExportTable.Binary },
        { TreeTrainer.GradientBoostedTrees, ExportTable.Multiclass },
        { TreeTrainer.GradientBoostedTrees, ExportTable.Regression },
        { TreeTrainer.RandomForestAlgorithm, ExportTable.Binary },
        { TreeTrainer.RandomForestAlgorithm, ExportTable.Multiclass },
        { TreeTrainer.RandomForestAlgorithm, ExportTable.Regression },
    };

    [Theory]
    [MemberData(nameof(AlgorithmsAndTasks))]
    public void Onnx_runtime_scores_the_exported_model_as_the_platform_does(string algorithm, string target)
    {
        var model = Train(algorithm, target);
        var heldOut = ExportTable.Create(target, 500, seed: 99, unseenCategories: true);

        using var session = new InferenceSession(OnnxModelExport.ToOnnx(model));
        using var results = session.Run(Inputs(model, heldOut));
        var expected = model.Score(heldOut);

        if (model.Task == LearningTask.Regression)
        {
            var values = results.Single(r => r.Name == OnnxOutputs.Value).AsTensor<double>().ToArray();
            Assert.Equal(heldOut.RowCount, values.Length);
            for (var row = 0; row < values.Length; row++)
            {
                Assert.True(Math.Abs(values[row] - expected[row].Value!.Value) <= Tolerance * Math.Max(1, Math.Abs(expected[row].Value!.Value)),
                    $"row {row}: ONNX {values[row]}, platform {expected[row].Value}");
            }

            return;
        }

        var labels = results.Single(r => r.Name == OnnxOutputs.Label).AsTensor<string>().ToArray();
        var probabilities = results.Single(r => r.Name == OnnxOutputs.Probabilities).AsTensor<double>();
        Assert.Equal([heldOut.RowCount, model.Classes.Count], probabilities.Dimensions.ToArray());
        var disagreements = 0;
        for (var row = 0; row < heldOut.RowCount; row++)
        {
            for (var k = 0; k < model.Classes.Count; k++)
            {
                Assert.True(Math.Abs(probabilities[row, k] - expected[row].Probabilities![k]) <= Tolerance,
                    $"row {row}, class {model.Classes[k]}: ONNX {probabilities[row, k]}, platform {expected[row].Probabilities![k]}");
            }

            disagreements += labels[row] == expected[row].Label ? 0 : 1;
        }

        Assert.Equal(0, disagreements);
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndTasks))]
    public void The_exported_file_passes_the_onnx_checker(string algorithm, string target)
    {
        using var folder = TemporaryDirectory.Create("onnx-check-");
        var path = folder.Combine("model.onnx");
        File.WriteAllBytes(path, OnnxModelExport.ToOnnx(Train(algorithm, target)));

        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print('ok')");
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, output);
        Assert.Equal("ok", output.Trim());
    }

    [Fact]
    public void A_model_with_hashed_text_has_no_onnx_form_and_says_why()
    {
        var table = ExportTable.Create(ExportTable.Binary, 3_000, seed: 3);
        var withText = new DataTable([.. table.Columns, new TextColumn("note", [.. Enumerable.Range(0, table.RowCount).Select(row => $"note number {row % 13} words")])]);
        var model = LinearTrainer.Train(withText, ExportTable.Binary, options: new LinearTrainingOptions { Featurizer = new FeaturizerOptions { TextHashBits = 8 } });

        var refused = Assert.Throws<OnnxExportException>(() => OnnxModelExport.ToOnnx(model));

        Assert.Contains("'note'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("hashed", refused.Message, StringComparison.Ordinal);
    }

    private static Model Train(string algorithm, string target)
    {
        var table = ExportTable.Create(target, 3_000, seed: 7);
        var model = algorithm is LinearTrainer.LogisticRegression or LinearTrainer.LinearRegression
            ? LinearTrainer.Train(table, target)
            : TreeTrainer.Train(algorithm, table, target, options: new TreeTrainingOptions { Rounds = 30, Seed = 1 });

        // What the comparison covers: categorical inputs (one-hot, or codes with category-set splits for trees) beside
        // numbers with missing values and a boolean.
        Assert.Equal(["age", "income", "member", "city", "plan"], model.Inputs.Select(input => input.Name));
        Assert.Equal(2, model.Featurizer.Columns.Count(column => column is CategoricalFeaturizer));
        if (model.Predictor is MlOps.Learning.Trees.TreeEnsemblePredictor trees)
        {
            Assert.Contains(trees.Trees.SelectMany(member => member), tree => tree.LeftCategories is not null);
        }

        return model;
    }

    /// <summary>The held-out rows as the exported graph takes them: one [N, 1] tensor per input, floats or strings.</summary>
    private static List<NamedOnnxValue> Inputs(Model model, DataTable table)
    {
        var inputs = new List<NamedOnnxValue>();
        foreach (var input in model.Inputs)
        {
            var column = table[input.Name];
            if (input.Type is ColumnType.Numeric or ColumnType.Boolean)
            {
                var values = new float[table.RowCount];
                for (var row = 0; row < values.Length; row++)
                {
                    values[row] = (float)ColumnFeaturizer.ValueAt(column, row).Number;
                }

                inputs.Add(NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<float>(values, [table.RowCount, 1])));
            }
            else
            {
                var values = new string[table.RowCount];
                for (var row = 0; row < values.Length; row++)
                {
                    values[row] = ColumnFeaturizer.ValueAt(column, row).Text ?? string.Empty;
                }

                inputs.Add(NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<string>(values, [table.RowCount, 1])));
            }
        }

        return inputs;
    }
}
