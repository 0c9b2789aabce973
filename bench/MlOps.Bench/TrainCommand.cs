using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MlOps.Learning.Data;
using MlOps.Learning.Evaluation;
using MlOps.Learning.Models;
using MlOps.Learning.Optimization;
using MlOps.Learning.Training;

namespace MlOps.Bench;

/// <summary>
/// <c>train --train TRAIN.csv --test TEST.csv --target COLUMN --algorithm NAME [--task T] [--threads N] [--param key=value]...</c>:
/// loading is not timed; <c>trainSeconds</c> covers featurizing and fitting, <c>scoreSeconds</c> featurizing and
/// scoring the test rows — what the scikit-learn script beside it times for its pipeline.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var train = new Option<FileInfo>("--train") { Description = "Training CSV (header row required).", Required = true };
        var test = new Option<FileInfo>("--test") { Description = "Test CSV with the same columns.", Required = true };
        var target = new Option<string>("--target") { Description = "The column to predict.", Required = true };
        var algorithm = new Option<string>("--algorithm") { Description = "logistic-regression, linear-regression, gbdt or random-forest.", Required = true };
        algorithm.AcceptOnlyFromAmong(LinearTrainer.LogisticRegression, LinearTrainer.LinearRegression, TreeTrainer.GradientBoostedTrees, TreeTrainer.RandomForestAlgorithm);
        var task = new Option<string?>("--task") { Description = "binary, multiclass or regression (default: from the target)." };
        task.AcceptOnlyFromAmong("binary", "multiclass", "regression");
        var parameters = new Option<string[]>("--param")
        {
            Description = "A hyperparameter as key=value. Linear: l2, maxIterations, tolerance, historySize, solver, textHashBits, maxCategories. " +
                "Trees: rounds, numLeaves, maxDepth, learningRate, maxBins, l2, l1, minChildSamples, minChildWeight, minSplitGain, " +
                "featureFraction, baggingFraction, earlyStoppingRounds, seed, maxCategories, textHashBits, maxTextFeatures, minTextDocuments.",
        };
        var threads = new Option<int?>("--threads") { Description = "Workers for the tree learners (default: every core)." };

        var command = new Command("train", "Train, score and print one JSON line of timings and metrics.")
        {
            train, test, target, algorithm, task, threads, parameters,
        };
        command.SetAction(result =>
        {
            var name = result.GetValue(algorithm)!;
            var pairs = result.GetValue(parameters) ?? [];
            var trainTable = CsvTableReader.ReadFile(result.GetValue(train)!.FullName);
            var testTable = CsvTableReader.ReadFile(result.GetValue(test)!.FullName);
            var targetName = result.GetValue(target)!;
            var learningTask = result.GetValue(task) is { } taskName
                ? ModelFileTask(taskName)
                : DefaultTask(name, trainTable[targetName]);

            var clock = Stopwatch.StartNew();
            var model = name is TreeTrainer.GradientBoostedTrees or TreeTrainer.RandomForestAlgorithm
                ? TreeTrainer.Train(name, trainTable, targetName, learningTask, ParseTreeParameters(pairs) with { Threads = result.GetValue(threads) })
                : LinearTrainer.Train(trainTable, targetName, learningTask, ParseParameters(pairs));
            var trainSeconds = clock.Elapsed.TotalSeconds;

            clock.Restart();
            var evaluation = ModelEvaluator.Evaluate(model, testTable);
            var scoreSeconds = clock.Elapsed.TotalSeconds;

            Console.Out.WriteLine(Report(model, trainTable, trainSeconds, scoreSeconds, evaluation));
            return 0;
        });
        return command;
    }

    private static string Report(Model model, DataTable train, double trainSeconds, double scoreSeconds, EvaluationResult evaluation)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("algorithm", model.Algorithm);
            json.WriteString("task", ModelFileTaskName(model.Task));
            json.WriteNumber("rows", model.Metadata.TrainingRows);
            json.WriteNumber("features", train.Columns.Count - 1);
            json.WriteNumber("trainSeconds", Math.Round(trainSeconds, 4));
            json.WriteNumber("scoreSeconds", Math.Round(scoreSeconds, 4));
            json.WriteNumber("iterations", model.Metadata.Iterations);
            json.WriteStartObject("metrics");
            foreach (var key in new[] { "auc", "accuracy", "logLoss", "f1", "rmse", "mae", "r2" })
            {
                if (evaluation.Metrics.TryGetValue(key, out var value))
                {
                    json.WriteNumber(key, value);
                }
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static LinearTrainingOptions ParseParameters(IEnumerable<string> pairs)
    {
        var options = new LinearTrainingOptions();
        var lbfgs = new LbfgsOptions();
        foreach (var pair in pairs)
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new ArgumentException($"--param takes key=value, not '{pair}'.");
            }

            var key = pair[..separator];
            var value = pair[(separator + 1)..];
            switch (key)
            {
                case "l2":
                    options = options with { L2 = double.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "maxIterations":
                    lbfgs = lbfgs with { MaxIterations = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "tolerance":
                    lbfgs = lbfgs with { Tolerance = double.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "historySize":
                    lbfgs = lbfgs with { HistorySize = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "solver":
                    options = options with { Solver = Enum.Parse<LinearSolver>(value, ignoreCase: true) };
                    break;
                case "textHashBits":
                    options = options with { Featurizer = options.Featurizer with { TextHashBits = int.Parse(value, CultureInfo.InvariantCulture) } };
                    break;
                case "maxCategories":
                    options = options with { Featurizer = options.Featurizer with { MaxCategories = int.Parse(value, CultureInfo.InvariantCulture) } };
                    break;
                default:
                    throw new ArgumentException(
                        $"Unknown parameter '{key}'. Known: l2, maxIterations, tolerance, historySize, solver, textHashBits, maxCategories.");
            }
        }

        return options with { Lbfgs = lbfgs };
    }

    private static TreeTrainingOptions ParseTreeParameters(IEnumerable<string> pairs)
    {
        var options = new TreeTrainingOptions();
        foreach (var pair in pairs)
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new ArgumentException($"--param takes key=value, not '{pair}'.");
            }

            var value = pair[(separator + 1)..];
            int Whole() => int.Parse(value, CultureInfo.InvariantCulture);
            double Number() => double.Parse(value, CultureInfo.InvariantCulture);
            options = pair[..separator] switch
            {
                "rounds" => options with { Rounds = Whole() },
                "numLeaves" => options with { NumLeaves = Whole() },
                "maxDepth" => options with { MaxDepth = Whole() },
                "learningRate" => options with { LearningRate = Number() },
                "maxBins" => options with { MaxBins = Whole() },
                "l2" => options with { L2 = Number() },
                "l1" => options with { L1 = Number() },
                "minChildSamples" => options with { MinChildSamples = Whole() },
                "minChildWeight" => options with { MinChildWeight = Number() },
                "minSplitGain" => options with { MinSplitGain = Number() },
                "featureFraction" => options with { FeatureFraction = Number() },
                "baggingFraction" => options with { BaggingFraction = Number() },
                "earlyStoppingRounds" => options with { EarlyStoppingRounds = Whole() },
                "seed" => options with { Seed = Whole() },
                "maxCategories" => options with { MaxCategories = Whole() },
                "textHashBits" => options with { TextHashBits = Whole() },
                "maxTextFeatures" => options with { MaxTextFeatures = Whole() },
                "minTextDocuments" => options with { MinTextDocuments = Whole() },
                var key => throw new ArgumentException(
                    $"Unknown parameter '{key}'. Known: rounds, numLeaves, maxDepth, learningRate, maxBins, l2, l1, minChildSamples, " +
                    "minChildWeight, minSplitGain, featureFraction, baggingFraction, earlyStoppingRounds, seed, maxCategories, textHashBits, maxTextFeatures, minTextDocuments."),
            };
        }

        return options;
    }

    /// <summary>Logistic regression classifies even a 0/1 numeric target: binary for two values, multinomial above.</summary>
    private static LearningTask DefaultTask(string algorithm, DataColumn target)
    {
        if (algorithm == LinearTrainer.LinearRegression
            || (algorithm != LinearTrainer.LogisticRegression && target.Type == ColumnType.Numeric))
        {
            return LearningTask.Regression;
        }

        var distinct = new HashSet<string>(StringComparer.Ordinal);
        for (var row = 0; row < target.Length && distinct.Count < 3; row++)
        {
            if (!target.IsMissing(row))
            {
                distinct.Add(Convert.ToString(ValueOf(target, row), CultureInfo.InvariantCulture) ?? string.Empty);
            }
        }

        return distinct.Count > 2 ? LearningTask.MulticlassClassification : LearningTask.BinaryClassification;
    }

    private static object? ValueOf(DataColumn column, int row) => column switch
    {
        NumericColumn numeric => numeric.Values[row],
        BooleanColumn boolean => boolean.Values[row],
        CategoricalColumn categorical => categorical.Codes[row],
        TextColumn text => text.Values[row],
        _ => null,
    };

    private static LearningTask ModelFileTask(string name) => name switch
    {
        "binary" => LearningTask.BinaryClassification,
        "multiclass" => LearningTask.MulticlassClassification,
        _ => LearningTask.Regression,
    };

    private static string ModelFileTaskName(LearningTask task) => task switch
    {
        LearningTask.BinaryClassification => "binary",
        LearningTask.MulticlassClassification => "multiclass",
        _ => "regression",
    };
}
