using BenchmarkDotNet.Attributes;
using MlOps.Learning.Trees;

namespace MlOps.Learning.Benchmarks;

/// <summary>
/// Scoring one row of a boosted model of 100 trees of 31 leaves over 20 features (issue #9: under 5 µs, nothing
/// allocated beyond the result): the probability into a caller's buffer; and the batch path against row by row, per
/// row, over a block of 1,024 rows.
/// </summary>
[MemoryDiagnoser]
public class TreeScoringBenchmarks
{
    private const int Features = 20;
    private const int Rows = 20_000;

    private const int Block = 1_024;

    private BoostedTrees _model = null!;
    private TreeEnsemblePredictor _predictor = null!;
    private double[] _row = null!;
    private double[] _result = null!;
    private double[] _block = null!;
    private double[] _margins = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var columns = Enumerable.Range(0, Features).Select(_ => Enumerable.Range(0, Rows).Select(_ => random.NextDouble()).ToArray()).ToArray();
        var y = Enumerable.Range(0, Rows)
            .Select(i => (columns[0][i] + (0.5 * columns[1][i]) - columns[2][i] + (0.3 * random.NextDouble())) > 0.4 ? 1.0 : 0.0)
            .ToArray();
        _model = GradientBoosting.Train(
            new BoostingData(columns, y),
            BoostingObjective.LogLoss,
            2,
            new BoostingOptions(Rounds: 100, LearningRate: 0.1, Tree: new TreeOptions(NumLeaves: 31, Split: new SplitOptions(MinChildSamples: 5))));
        _row = [.. Enumerable.Range(0, Features).Select(f => columns[f][7])];
        _result = new double[1];
        _predictor = TreeEnsemblePredictor.From(_model, Features);
        _block = [.. Enumerable.Range(0, Block).SelectMany(row => Enumerable.Range(0, Features).Select(f => columns[f][row]))];
        _margins = new double[Block];
    }

    [Benchmark]
    public double Probability()
    {
        _model.Predict(_row, _result);
        return _result[0];
    }

    /// <summary>Per row: 1,024 rows, each walking all 100 trees before the next row.</summary>
    [Benchmark(OperationsPerInvoke = Block)]
    public double RowByRow()
    {
        for (var row = 0; row < Block; row++)
        {
            _predictor.MarginsOfRow(_block.AsSpan(row * Features, Features), _margins.AsSpan(row, 1));
        }

        return _margins[^1];
    }

    /// <summary>Per row: the batch path, 1,024 rows walking each tree in turn.</summary>
    [Benchmark(OperationsPerInvoke = Block)]
    public double Batch()
    {
        _predictor.MarginsOfRows(_block, _margins);
        return _margins[^1];
    }
}
