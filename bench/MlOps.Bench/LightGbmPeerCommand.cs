using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using MlOps.Learning.Data;

namespace MlOps.Bench;

/// <summary>
/// <c>train-lightgbm</c>: LightGBM 4.6 through ML.NET (<c>Microsoft.ML.LightGbm</c>) as a peer of <c>train</c>, with the
/// same command line and the same JSON line (bench/README.md). The numeric columns of the CSV (empty = NaN, which
/// LightGBM routes as missing) become one float feature vector; rounds, numLeaves, learningRate, maxBins,
/// minChildSamples and threads map to NumberOfIterations, NumberOfLeaves, LearningRate, MaximumBinCountPerFeature,
/// MinimumExampleCountPerLeaf and NumberOfThreads; LightGBM keeps its own defaults otherwise. trainSeconds covers
/// building the data view and fitting (LightGBM's binning included, as ours includes ours). Run it with
/// OMP_WAIT_POLICY=PASSIVE (DEPENDENCIES.md: three times slower on 2 cores without it).
/// </summary>
internal static class LightGbmPeerCommand
{
    public static Command Create()
    {
        var train = new Option<FileInfo>("--train") { Required = true };
        var test = new Option<FileInfo>("--test") { Required = true };
        var target = new Option<string>("--target") { Required = true };
        var algorithm = new Option<string>("--algorithm") { Description = "gbdt (the only one LightGBM peers).", Required = true };
        algorithm.AcceptOnlyFromAmong("gbdt");
        var task = new Option<string>("--task") { Required = true };
        task.AcceptOnlyFromAmong("binary", "multiclass", "regression");
        var threads = new Option<int?>("--threads");
        var parameters = new Option<string[]>("--param") { Description = "rounds, numLeaves, learningRate, maxBins, minChildSamples as key=value." };
        var command = new Command("train-lightgbm", "LightGBM through ML.NET: train, score and print one JSON line of timings and metrics.")
        {
            train, test, target, algorithm, task, threads, parameters,
        };
        command.SetAction(result =>
        {
            var settings = (result.GetValue(parameters) ?? []).Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
            var unknown = settings.Keys.Except(["rounds", "numLeaves", "learningRate", "maxBins", "minChildSamples"]).ToArray();
            if (unknown.Length > 0)
            {
                Console.Error.WriteLine($"train-lightgbm does not map: {string.Join(", ", unknown)}.");
                return 2;
            }

            var trainTable = CsvTableReader.ReadFile(result.GetValue(train)!.FullName);
            var testTable = CsvTableReader.ReadFile(result.GetValue(test)!.FullName);
            var label = result.GetValue(target)!;
            var kind = result.GetValue(task)!;
            var ml = new MLContext(seed: 0);
            int Whole(string name, int fallback) => settings.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
            var rounds = Whole("rounds", 100);
            var leaves = Whole("numLeaves", 31);
            var rate = settings.TryGetValue("learningRate", out var given) ? double.Parse(given, CultureInfo.InvariantCulture) : 0.1;
            var bins = Whole("maxBins", 255);
            var minChild = Whole("minChildSamples", 20);
            var workers = result.GetValue(threads);

            var clock = Stopwatch.StartNew();
            var data = View(ml, trainTable, label, kind == "binary");
            var trainer = kind switch
            {
                "binary" => (IEstimator<ITransformer>)ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
                {
                    NumberOfIterations = rounds, NumberOfLeaves = leaves, LearningRate = rate, MaximumBinCountPerFeature = bins,
                    MinimumExampleCountPerLeaf = minChild, NumberOfThreads = workers,
                }),
                "regression" => ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
                {
                    NumberOfIterations = rounds, NumberOfLeaves = leaves, LearningRate = rate, MaximumBinCountPerFeature = bins,
                    MinimumExampleCountPerLeaf = minChild, NumberOfThreads = workers,
                }),
                _ => ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
                {
                    NumberOfIterations = rounds, NumberOfLeaves = leaves, LearningRate = rate, MaximumBinCountPerFeature = bins,
                    MinimumExampleCountPerLeaf = minChild, NumberOfThreads = workers,
                })),
            };
            var model = trainer.Fit(data);
            var trainSeconds = clock.Elapsed.TotalSeconds;

            clock.Restart();
            var testData = View(ml, testTable, label, kind == "binary");
            var scored = model.Transform(testData);
            var metrics = new Dictionary<string, double>();
            switch (kind)
            {
                case "binary":
                    var binary = ml.BinaryClassification.Evaluate(scored);
                    metrics["auc"] = binary.AreaUnderRocCurve;
                    metrics["accuracy"] = binary.Accuracy;
                    metrics["logLoss"] = binary.LogLoss;
                    metrics["f1"] = binary.F1Score;
                    break;
                case "regression":
                    var regression = ml.Regression.Evaluate(scored);
                    metrics["rmse"] = regression.RootMeanSquaredError;
                    metrics["mae"] = regression.MeanAbsoluteError;
                    metrics["r2"] = regression.RSquared;
                    break;
                default:
                    var multiclass = ml.MulticlassClassification.Evaluate(scored);
                    metrics["accuracy"] = multiclass.MicroAccuracy;
                    metrics["logLoss"] = multiclass.LogLoss;
                    break;
            }

            var scoreSeconds = clock.Elapsed.TotalSeconds;
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["algorithm"] = "lightgbm",
                ["task"] = kind,
                ["rows"] = trainTable.RowCount,
                ["features"] = trainTable.Columns.Count - 1,
                ["trainSeconds"] = Math.Round(trainSeconds, 4),
                ["scoreSeconds"] = Math.Round(scoreSeconds, 4),
                ["iterations"] = rounds,
                ["metrics"] = metrics,
            }));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The table's numeric columns but the target as one float vector "Features"; the target as "Label": a bool for a
    /// binary task (its two values in order: the second is true), else a float.
    /// </summary>
    private static IDataView View(MLContext ml, DataTable table, string target, bool binary)
    {
        var features = table.Columns.Where(column => column.Name != target).Cast<NumericColumn>().ToArray();
        var labels = (NumericColumn)table[target];
        var positive = binary ? labels.Values.Max() : 0;
        var vectors = new float[table.RowCount][];
        for (var row = 0; row < vectors.Length; row++)
        {
            var values = new float[features.Length];
            for (var f = 0; f < features.Length; f++)
            {
                values[f] = features[f].Missing[row] ? float.NaN : (float)features[f].Values[row];
            }

            vectors[row] = values;
        }

        return binary
            ? Load(ml, vectors.Select((values, row) => new BinaryRow { Features = values, Label = labels.Values[row] == positive }), features.Length)
            : Load(ml, vectors.Select((values, row) => new RealRow { Features = values, Label = (float)labels.Values[row] }), features.Length);
    }

    private static IDataView Load<TRow>(MLContext ml, IEnumerable<TRow> rows, int width)
        where TRow : class
    {
        var schema = SchemaDefinition.Create(typeof(TRow));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return ml.Data.LoadFromEnumerable(rows.ToArray(), schema);
    }

    private sealed class BinaryRow
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    private sealed class RealRow
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }
}
