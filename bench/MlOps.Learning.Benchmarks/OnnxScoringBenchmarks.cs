using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Training;
using MlOps.Onnx.Export;

namespace MlOps.Learning.Benchmarks;

/// <summary>
/// One exported tree model (gbdt, 100 trees of 31 leaves, 20 numeric features; issue #22) scored two ways, side by
/// side: the platform's scorer, and ONNX Runtime running the model's exported ONNX file (one session, tensors of the
/// caller's memory, what a server holding a session would do). One row, and a batch of 1,024 rows (per row).
/// </summary>
[MemoryDiagnoser]
public class OnnxScoringBenchmarks : IDisposable
{
    private const int Features = 20;
    private const int TrainingRows = 20_000;
    private const int Block = 1_024;

    private Model _model = null!;
    private FeatureValue[] _row = null!;
    private DataTable _block = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private string[] _inputNames = null!;
    private OrtValue[] _oneRow = null!;
    private OrtValue[] _blockRows = null!;
    private readonly string[] _outputs = [OnnxOutputs.Probabilities, OnnxOutputs.Label];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var columns = Enumerable.Range(0, Features)
            .Select(f => Enumerable.Range(0, TrainingRows).Select(_ => (double)(float)random.NextDouble()).ToArray())
            .ToArray();
        var labels = Enumerable.Range(0, TrainingRows)
            .Select(i => (columns[0][i] + (0.5 * columns[1][i]) - columns[2][i] + (0.3 * random.NextDouble())) > 0.4 ? 1 : 0)
            .ToArray();
        var table = new DataTable(
        [
            .. columns.Select((values, f) => (DataColumn)new NumericColumn($"x{f}", values, new bool[TrainingRows])),
            new CategoricalColumn("label", labels, ["no", "yes"]),
        ]);
        _model = TreeTrainer.Train(TreeTrainer.GradientBoostedTrees, table, "label", LearningTask.BinaryClassification,
            new TreeTrainingOptions { Rounds = 100, NumLeaves = 31, MinChildSamples = 5, EarlyStoppingRounds = null, Seed = 1 });
        _row = [.. Enumerable.Range(0, Features).Select(f => FeatureValue.FromNumber(columns[f][7]))];
        _block = new DataTable([.. Enumerable.Range(0, Features).Select(f => (DataColumn)new NumericColumn($"x{f}", columns[f][..Block], new bool[Block]))]);

        _session = new InferenceSession(OnnxModelExport.ToOnnx(_model));
        _runOptions = new RunOptions();
        _inputNames = [.. _model.Inputs.Select(input => input.Name)];
        _oneRow = [.. Enumerable.Range(0, Features).Select(f => OrtValue.CreateTensorValueFromMemory(new[] { (float)columns[f][7] }, [1, 1]))];
        _blockRows = [.. Enumerable.Range(0, Features).Select(f => OrtValue.CreateTensorValueFromMemory(
            columns[f][..Block].Select(value => (float)value).ToArray(), [Block, 1]))];
    }

    [Benchmark(Baseline = true)]
    public Prediction PlatformOneRow() => _model.Score(_row);

    [Benchmark]
    public double OnnxRuntimeOneRow()
    {
        using var results = _session.Run(_runOptions, _inputNames, _oneRow, _outputs);
        return results[0].GetTensorDataAsSpan<double>()[1];
    }

    [Benchmark(OperationsPerInvoke = Block)]
    public Prediction PlatformBatch() => _model.Score(_block)[^1];

    [Benchmark(OperationsPerInvoke = Block)]
    public double OnnxRuntimeBatch()
    {
        using var results = _session.Run(_runOptions, _inputNames, _blockRows, _outputs);
        return results[0].GetTensorDataAsSpan<double>()[^1];
    }

    [GlobalCleanup]
    public void Dispose()
    {
        foreach (var value in _oneRow.Concat(_blockRows))
        {
            value.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
        GC.SuppressFinalize(this);
    }
}
