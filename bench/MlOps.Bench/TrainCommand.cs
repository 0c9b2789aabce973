using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using MlOps.Learning.MlNet;
using MlOps.Learning.Algorithms;
using MlOps.Learning.Data;
using MlOps.Learning.Evaluation;
using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.Bench;

/// <summary>
/// <c>train --train TRAIN.csv --test TEST.csv --target COLUMN --algorithm NAME --task T [--threads N] [--param key=value]...</c>:
/// the algorithm and its hyperparameters come from the platform's catalogue (<see cref="AlgorithmCatalog"/>), so the
/// benchmark trains exactly what a job with the same settings trains (on every training row: no validation split);
/// loading is not timed; <c>trainSeconds</c> covers featurizing and fitting, <c>scoreSeconds</c> featurizing and
/// scoring the test rows — what the scikit-learn script beside it times for its pipeline.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var catalog = MlNetLearners.Platform;
        var train = new Option<FileInfo>("--train") { Description = "Training CSV (header row required).", Required = true };
        var test = new Option<FileInfo>("--test") { Description = "Test CSV with the same columns.", Required = true };
        var target = new Option<string>("--target") { Description = "The column to predict.", Required = true };
        var algorithm = new Option<string>("--algorithm")
        {
            Description = string.Join(", ", catalog.All.Select(a => a.Name)) + ": the platform's algorithm catalogue.",
            Required = true,
        };
        algorithm.AcceptOnlyFromAmong([.. catalog.All.Select(a => a.Name)]);
        var task = new Option<string>("--task") { Description = "binary, multiclass or regression.", Required = true };
        task.AcceptOnlyFromAmong(TaskNames.Binary, TaskNames.Multiclass, TaskNames.Regression);
        var parameters = new Option<string[]>("--param")
        {
            Description = "A hyperparameter as key=value, by the catalogue's names, types and ranges (GET /api/training/algorithms, docs/training.md); " +
                "the others take the catalogue's defaults, as a training job does.",
        };
        var threads = new Option<int?>("--threads") { Description = "Workers for the tree learners (default: every core)." };

        var command = new Command("train", "Train, score and print one JSON line of timings and metrics.")
        {
            train, test, target, algorithm, task, threads, parameters,
        };
        command.SetAction(result =>
        {
            var learner = catalog.Get(result.GetValue(algorithm)!);
            var (values, errors) = AlgorithmCatalog.ReadText(learner, result.GetValue(parameters) ?? []);
            if (errors.Count > 0)
            {
                Console.Error.WriteLine(string.Join(Environment.NewLine, errors.SelectMany(error => error.Value)));
                return 2;
            }

            var trainTable = CsvTableReader.ReadFile(result.GetValue(train)!.FullName);
            var testTable = CsvTableReader.ReadFile(result.GetValue(test)!.FullName);
            var settings = new HyperparameterValues(values);
            var input = new TrainingInput(
                trainTable,
                result.GetValue(target)!,
                TaskOf(result.GetValue(task)!),
                settings,
                settings.WholeNumber(AlgorithmCatalog.Seed),
                DatasetSha256: string.Empty,
                Threads: result.GetValue(threads));

            var clock = Stopwatch.StartNew();
            var model = learner.Train(input, _ => { }, CancellationToken.None);
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
            json.WriteString("task", TaskNames.Of(model.Task));
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

    private static LearningTask TaskOf(string name) => name switch
    {
        TaskNames.Binary => LearningTask.BinaryClassification,
        TaskNames.Multiclass => LearningTask.MulticlassClassification,
        _ => LearningTask.Regression,
    };
}
