using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using MlOps.Images.Embedding;
using MlOps.Learning.Algorithms;
using MlOps.Learning.Data;
using MlOps.Learning.Evaluation;
using MlOps.Learning.Generators;
using MlOps.Learning.MlNet;
using MlOps.Learning.Training;

namespace MlOps.Bench;

/// <summary>
/// <c>multimodal --rows N --test-rows M --algorithm NAME [--overlap O] [--cache DIR]</c>: a product catalogue (seed 1 to
/// train, seed 2 to test), its pictures encoded by ResNet18 as a job encodes them, then the same algorithm trained on
/// the text alone, the pictures alone, text and pictures, and everything (with the price); prints one JSON line a
/// feature set with the held-out accuracy and macro-F1.
/// </summary>
internal static class MultimodalCommand
{
    private static readonly (string Name, string[] Columns)[] FeatureSets =
    [
        ("text", ["title", "description"]),
        ("image", ["image"]),
        ("text+image", ["title", "description", "image"]),
        ("all", ["title", "description", "image", "price"]),
    ];

    public static Command Create()
    {
        var catalog = MlNetLearners.Platform;
        var rows = new Option<int>("--rows") { Description = "Training rows.", DefaultValueFactory = _ => 2000 };
        var testRows = new Option<int>("--test-rows") { Description = "Held-out rows.", DefaultValueFactory = _ => 1000 };
        var overlap = new Option<double?>("--overlap") { Description = "The generator's overlap (default: its own)." };
        var algorithm = new Option<string>("--algorithm") { Description = "An algorithm of the catalogue.", DefaultValueFactory = _ => "logistic-regression" };
        algorithm.AcceptOnlyFromAmong([.. catalog.All.Select(a => a.Name)]);
        var parameters = new Option<string[]>("--param") { Description = "A hyperparameter as key=value." };
        var cache = new Option<DirectoryInfo?>("--cache") { Description = "Where embeddings are kept between runs." };
        var command = new Command("multimodal", "Text-only, image-only and multimodal models on one product catalogue; print their held-out metrics.")
        {
            rows, testRows, overlap, algorithm, parameters, cache,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var learner = catalog.Get(result.GetValue(algorithm)!);
            var (values, errors) = AlgorithmCatalog.ReadText(learner, result.GetValue(parameters) ?? []);
            if (errors.Count > 0)
            {
                await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, errors.SelectMany(error => error.Value)));
                return 2;
            }

            using var embedder = new ImageEmbedder(new ImageEncoderOptions { CacheDirectory = result.GetValue(cache)?.FullName });
            var clock = Stopwatch.StartNew();
            var train = await CatalogueAsync(embedder, result.GetValue(rows), 1, result.GetValue(overlap), cancellationToken);
            var test = await CatalogueAsync(embedder, result.GetValue(testRows), 2, result.GetValue(overlap), cancellationToken);
            var encodeSeconds = clock.Elapsed.TotalSeconds;
            var settings = new HyperparameterValues(values);
            foreach (var (name, columns) in FeatureSets)
            {
                clock.Restart();
                var model = learner.Train(
                    new TrainingInput(Select(train, columns), "category", LearningTask.MulticlassClassification, settings, settings.WholeNumber(AlgorithmCatalog.Seed), string.Empty),
                    _ => { },
                    cancellationToken);
                var trainSeconds = clock.Elapsed.TotalSeconds;
                var metrics = ModelEvaluator.Evaluate(model, Select(test, columns)).Metrics;
                Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["algorithm"] = learner.Name,
                    ["features"] = name,
                    ["trainRows"] = train.RowCount,
                    ["testRows"] = test.RowCount,
                    ["accuracy"] = Math.Round(metrics["accuracy"], 4),
                    ["macroF1"] = Math.Round(metrics["f1"], 4),
                    ["trainSeconds"] = Math.Round(trainSeconds, 2),
                    ["encodeSeconds"] = Math.Round(encodeSeconds, 2),
                }));
            }

            return 0;
        });
        return command;
    }

    private static async Task<DataTable> CatalogueAsync(ImageEmbedder embedder, int rows, int seed, double? overlap, CancellationToken cancellationToken)
    {
        DatasetGenerators.TryGet("product-catalog", out var generator);
        using var zip = new MemoryStream();
        await generator!.WriteAsync(zip, new GeneratorRequest(rows, seed, Overlap: overlap), cancellationToken);
        zip.Position = 0;
        using var archive = DatasetArchive.Open(zip, new ArchiveLimits());
        var types = new Dictionary<string, ColumnType>
        {
            ["title"] = ColumnType.Text,
            ["description"] = ColumnType.Text,
            ["image"] = ColumnType.Image,
            ["price"] = ColumnType.Numeric,
            ["category"] = ColumnType.Categorical,
        };
        return ArchiveTables.Read(archive, types, embedder, cancellationToken: cancellationToken);
    }

    private static DataTable Select(DataTable table, string[] columns) => new([.. columns.Select(name => table[name]), table["category"]]);
}
