using BenchmarkDotNet.Attributes;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.Learning.Benchmarks;

/// <summary>
/// Scoring one row of a trained linear model (the serving hot path): typed values, values by name, and a text model.
/// The memory diagnoser shows what each call allocates, which should be its result only.
/// </summary>
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    private const int Features = 20;

    private Model _tabular = null!;
    private Model _text = null!;
    private FeatureValue[] _row = null!;
    private Dictionary<string, object?> _named = null!;
    private FeatureValue[] _review = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        const int rows = 5000;
        var columns = new List<DataColumn>();
        for (var f = 0; f < Features; f++)
        {
            columns.Add(new NumericColumn($"x{f}", Enumerable.Range(0, rows).Select(_ => random.NextDouble()).ToArray(), new bool[rows]));
        }

        columns.Add(new CategoricalColumn("color", Enumerable.Range(0, rows).Select(i => i % 4).ToArray(), ["red", "green", "blue", "amber"]));
        columns.Add(new CategoricalColumn("label", Enumerable.Range(0, rows).Select(_ => random.Next(2)).ToArray(), ["no", "yes"]));
        _tabular = LinearTrainer.Train(new DataTable(columns), "label");
        _row = [.. Enumerable.Range(0, Features).Select(f => FeatureValue.FromNumber(0.5)), FeatureValue.FromText("blue")];
        _named = Enumerable.Range(0, Features).ToDictionary(f => $"x{f}", f => (object?)0.5);
        _named["color"] = "blue";

        var reviews = new[] { "ripe cherry and a long oak finish", "thin, sour and flat", "bright citrus, crisp", "dull and watery" };
        var text = new DataTable(
        [
            new TextColumn("review", Enumerable.Range(0, 400).Select(i => (string?)reviews[i % 4]).ToArray()),
            new CategoricalColumn("sentiment", Enumerable.Range(0, 400).Select(i => i % 2).ToArray(), ["good", "bad"]),
        ]);
        _text = LinearTrainer.Train(text, "sentiment");
        _review = [FeatureValue.FromText("A ripe cherry nose, crisp acidity and a long finish of oak and vanilla.")];
    }

    [Benchmark(Baseline = true)]
    public Prediction TypedRow() => _tabular.Score(_row);

    [Benchmark]
    public Prediction NamedValues() => _tabular.Score(_named);

    [Benchmark]
    public Prediction TextReview() => _text.Score(_review);
}
