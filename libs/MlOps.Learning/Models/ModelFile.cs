using System.Reflection;
using System.Text.Json;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Training;
using MlOps.Learning.Trees;

namespace MlOps.Learning.Models;

/// <summary>
/// The model file: one self-describing UTF-8 JSON document (<c>"format": "mlops-model"</c> and a format version),
/// holding the inputs, the fitted featurizer, the predictor, the classes and the training metadata. Numbers are written
/// in their shortest round-trip form and maps in sorted order, so equal models give byte-identical files.
/// A file of a newer format version is refused with a message saying so.
/// </summary>
public static class ModelFile
{
    public const string Format = "mlops-model";
    public const int FormatVersion = 1;

    /// <summary>The library version recorded in every model it trains.</summary>
    public static string LibraryVersion { get; } =
        typeof(ModelFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    public static void Save(Model model, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteNumber("formatVersion", FormatVersion);
        json.WriteString("algorithm", model.Algorithm);
        json.WriteString("task", TaskNames.Of(model.Task));
        json.WriteString("target", model.Target);
        WriteStrings(json, "classes", model.Classes);

        json.WriteStartArray("inputs");
        foreach (var input in model.Inputs)
        {
            json.WriteStartObject();
            json.WriteString("name", input.Name);
            json.WriteString("type", TypeName(input.Type));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteFeaturizer(json, model.Featurizer);
        WritePredictor(json, model.Predictor);
        WriteMetadata(json, model.Metadata);
        json.WriteEndObject();
    }

    public static void Save(Model model, string path)
    {
        using var stream = File.Create(path);
        Save(model, stream);
    }

    /// <param name="readers">Readers of the packaged predictors the file may hold (ML.NET's); without one for its kind such a file is refused.</param>
    public static Model Load(Stream stream, IReadOnlyList<IPredictorReader>? readers = null)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException exception)
        {
            throw new ModelFormatException($"This is not a model file (not valid JSON: {exception.Message}).", exception);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("format", out var format) || format.GetString() != Format)
            {
                throw new ModelFormatException($"This is not a model file: it lacks \"format\": \"{Format}\".");
            }

            var version = root.GetProperty("formatVersion").GetInt32();
            if (version > FormatVersion)
            {
                throw new ModelFormatException(
                    $"This model file has format version {version}; this library ({LibraryVersion}) reads versions up to " +
                    $"{FormatVersion}. Load it with a newer MlOps.Learning.");
            }

            try
            {
                return Read(root, readers ?? []);
            }
            catch (Exception exception) when (exception is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new ModelFormatException($"The model file is damaged: {exception.Message}", exception);
            }
        }
    }

    public static Model Load(string path, IReadOnlyList<IPredictorReader>? readers = null)
    {
        using var stream = File.OpenRead(path);
        return Load(stream, readers);
    }

    private static Model Read(JsonElement root, IReadOnlyList<IPredictorReader> readers)
    {
        var featurizer = ReadFeaturizer(root.GetProperty("featurizer"));
        var predictor = ReadPredictor(root.GetProperty("predictor"), readers);
        return new Model(
            root.GetProperty("algorithm").GetString()!,
            ParseTask(root.GetProperty("task").GetString()),
            root.GetProperty("target").GetString()!,
            ReadStrings(root.GetProperty("classes")),
            featurizer,
            predictor,
            ReadMetadata(root.GetProperty("metadata")));
    }

    private static void WriteFeaturizer(Utf8JsonWriter json, Featurizer featurizer)
    {
        json.WriteStartObject("featurizer");
        json.WriteStartArray("columns");
        foreach (var column in featurizer.Columns)
        {
            json.WriteStartObject();
            json.WriteString("column", column.Column);
            json.WriteString("sourceType", TypeName(column.SourceType));
            json.WriteNumber("offset", column.Offset);
            switch (column)
            {
                case NumericFeaturizer numeric:
                    json.WriteString("kind", "numeric");
                    // NaN (missing values left missing, for trees) has no JSON number: null stands for it.
                    if (double.IsNaN(numeric.ImputedValue))
                    {
                        json.WriteNull("imputedValue");
                    }
                    else
                    {
                        json.WriteNumber("imputedValue", numeric.ImputedValue);
                    }

                    json.WriteNumber("center", numeric.Center);
                    json.WriteNumber("scale", numeric.Scale);
                    break;
                case CategoricalFeaturizer categorical:
                    json.WriteString("kind", "categorical");
                    if (categorical.AsCodes)
                    {
                        json.WriteString("encoding", "codes");
                    }

                    WriteStrings(json, "categories", categorical.Categories);
                    break;
                case TextFeaturizer text:
                    json.WriteString("kind", "text");
                    json.WriteNumber("hashBits", text.HashBits);
                    json.WriteNumber("trainingDocuments", text.TrainingDocuments);
                    WriteNumbers(json, "idf", text.Idf);
                    break;
                case ImageFeaturizer image:
                    json.WriteString("kind", "image");
                    json.WriteStartObject("encoder");
                    json.WriteString("name", image.Encoding.Name);
                    json.WriteString("sha256", image.Encoding.Sha256);
                    json.WriteNumber("dimensions", image.Encoding.Dimensions);
                    json.WriteEndObject();
                    json.WriteBoolean("missingAsNaN", image.MissingAsNaN);
                    WriteNumbers(json, "center", [.. image.Center]);
                    WriteNumbers(json, "scale", [.. image.Scale]);
                    break;
                default:
                    throw new InvalidOperationException($"No file form for {column.GetType().Name}.");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static Featurizer ReadFeaturizer(JsonElement element)
    {
        var columns = new List<ColumnFeaturizer>();
        foreach (var column in element.GetProperty("columns").EnumerateArray())
        {
            var name = column.GetProperty("column").GetString()!;
            var sourceType = ParseType(column.GetProperty("sourceType").GetString()!);
            var offset = column.GetProperty("offset").GetInt32();
            columns.Add(column.GetProperty("kind").GetString() switch
            {
                "numeric" => new NumericFeaturizer(
                    name,
                    sourceType,
                    offset,
                    column.GetProperty("imputedValue") is { ValueKind: JsonValueKind.Null } ? double.NaN : column.GetProperty("imputedValue").GetDouble(),
                    column.GetProperty("center").GetDouble(),
                    column.GetProperty("scale").GetDouble()),
                "categorical" => new CategoricalFeaturizer(
                    name,
                    sourceType,
                    offset,
                    ReadStrings(column.GetProperty("categories")),
                    column.TryGetProperty("encoding", out var encoding) && encoding.GetString() == "codes"),
                "text" => new TextFeaturizer(
                    name,
                    offset,
                    column.GetProperty("hashBits").GetInt32(),
                    ReadNumbers(column.GetProperty("idf")),
                    column.GetProperty("trainingDocuments").GetInt32()),
                "image" => new ImageFeaturizer(
                    name,
                    offset,
                    new ImageEncoding(
                        column.GetProperty("encoder").GetProperty("name").GetString()!,
                        column.GetProperty("encoder").GetProperty("sha256").GetString()!,
                        column.GetProperty("encoder").GetProperty("dimensions").GetInt32()),
                    ReadNumbers(column.GetProperty("center")),
                    ReadNumbers(column.GetProperty("scale")),
                    column.GetProperty("missingAsNaN").GetBoolean()),
                var kind => throw new FormatException($"unknown featurizer kind '{kind}'"),
            });
        }

        return new Featurizer(columns);
    }

    private static void WritePredictor(Utf8JsonWriter json, Predictor predictor)
    {
        json.WriteStartObject("predictor");
        switch (predictor)
        {
            case LinearPredictor linear:
                json.WriteString("kind", "linear");
                json.WriteNumber("outputs", linear.Outputs);
                json.WriteNumber("width", linear.Width);
                WriteNumbers(json, "intercepts", linear.Intercepts);
                WriteNumbers(json, "weights", linear.Weights);
                break;
            case TreeEnsemblePredictor trees:
                WriteTrees(json, trees);
                break;
            case PackagedPredictor packaged:
                json.WriteString("kind", packaged.Kind);
                json.WriteNumber("outputs", packaged.Outputs);
                json.WriteNumber("width", packaged.Width);
                WriteNumbers(json, "featureImportance", packaged.FeatureImportance());
                json.WriteBase64String("package", packaged.Package.Span);
                break;
            default:
                throw new InvalidOperationException($"No file form for {predictor.GetType().Name}.");
        }

        json.WriteEndObject();
    }

    private static Predictor ReadPredictor(JsonElement element, IReadOnlyList<IPredictorReader> readers) => element.GetProperty("kind").GetString() switch
    {
        "linear" => new LinearPredictor(
            element.GetProperty("outputs").GetInt32(),
            element.GetProperty("width").GetInt32(),
            ReadNumbers(element.GetProperty("weights")),
            ReadNumbers(element.GetProperty("intercepts"))),
        "trees" => ReadTrees(element),
        var kind when readers.FirstOrDefault(reader => reader.Kind == kind) is { } reader => reader.Read(
            element.GetProperty("package").GetBytesFromBase64(),
            element.GetProperty("width").GetInt32(),
            element.GetProperty("outputs").GetInt32()),
        var kind when element.TryGetProperty("package", out _) =>
            throw new ModelFormatException($"The model's predictor is packaged by '{kind}', which this reader was not given the means to load."),
        var kind => throw new FormatException($"unknown predictor kind '{kind}'"),
    };

    /// <summary>
    /// Trees as flat arrays, member by member and output by output; each feature's importance (total gain, split
    /// count) is written beside them for readers of the file (the registry, the UI) and recomputed on load.
    /// </summary>
    private static void WriteTrees(Utf8JsonWriter json, TreeEnsemblePredictor trees)
    {
        json.WriteString("kind", "trees");
        json.WriteString("ensemble", trees.Kind == EnsembleKind.Boosted ? "boosted" : "forest");
        json.WriteString("objective", ObjectiveName(trees.Objective));
        json.WriteNumber("width", trees.Width);
        WriteNumbers(json, "baseScores", trees.BaseScores);
        var (gain, splits) = trees.FeatureImportance();
        json.WriteStartObject("importance");
        WriteNumbers(json, "gain", gain);
        WriteIntegers(json, "splits", splits);
        json.WriteEndObject();
        json.WriteStartArray("trees");
        foreach (var member in trees.Trees)
        {
            json.WriteStartArray();
            foreach (var tree in member)
            {
                json.WriteStartObject();
                json.WriteStartArray("features");
                foreach (var feature in tree.Features)
                {
                    json.WriteNumberValue(feature);
                }

                json.WriteEndArray();
                WriteNumbers(json, "thresholds", tree.Thresholds);
                json.WriteStartArray("missingLeft");
                foreach (var left in tree.MissingLeft)
                {
                    json.WriteBooleanValue(left);
                }

                json.WriteEndArray();
                WriteIntegers(json, "left", tree.Left);
                WriteIntegers(json, "right", tree.Right);
                WriteNumbers(json, "leafValues", tree.LeafValues);
                WriteNumbers(json, "gains", tree.Gains);
                if (tree.LeftCategories is { } categories)
                {
                    // Per node, the category codes that go left; empty for a node that splits a number.
                    json.WriteStartArray("leftCategories");
                    foreach (var set in categories)
                    {
                        WriteIntegers(json, null, [.. set.Bins()]);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
    }

    private static TreeEnsemblePredictor ReadTrees(JsonElement element)
    {
        var kind = element.GetProperty("ensemble").GetString() switch
        {
            "boosted" => EnsembleKind.Boosted,
            "forest" => EnsembleKind.Forest,
            var other => throw new FormatException($"unknown ensemble '{other}'"),
        };
        var members = new List<DecisionTree[]>();
        foreach (var member in element.GetProperty("trees").EnumerateArray())
        {
            members.Add(member.EnumerateArray().Select(tree => new DecisionTree(
                ReadIntegers(tree.GetProperty("features")),
                ReadNumbers(tree.GetProperty("thresholds")),
                tree.GetProperty("missingLeft").EnumerateArray().Select(left => left.GetBoolean()).ToArray(),
                ReadIntegers(tree.GetProperty("left")),
                ReadIntegers(tree.GetProperty("right")),
                ReadNumbers(tree.GetProperty("leafValues")),
                ReadNumbers(tree.GetProperty("gains")),
                tree.TryGetProperty("leftCategories", out var categories) ? ReadCategorySets(categories) : null)).ToArray());
        }

        return new TreeEnsemblePredictor(
            kind,
            ParseObjective(element.GetProperty("objective").GetString()),
            element.GetProperty("width").GetInt32(),
            ReadNumbers(element.GetProperty("baseScores")),
            [.. members]);
    }

    private static string ObjectiveName(BoostingObjective objective) => objective switch
    {
        BoostingObjective.SquaredError => "squared-error",
        BoostingObjective.LogLoss => "log-loss",
        _ => "softmax",
    };

    private static BoostingObjective ParseObjective(string? name) => name switch
    {
        "squared-error" => BoostingObjective.SquaredError,
        "log-loss" => BoostingObjective.LogLoss,
        "softmax" => BoostingObjective.Softmax,
        _ => throw new FormatException($"unknown objective '{name}'"),
    };

    private static BinSet[] ReadCategorySets(JsonElement element) =>
        element.EnumerateArray().Select(codes => codes.EnumerateArray().Aggregate(default(BinSet), (set, code) => set.With(code.GetInt32()))).ToArray();

    /// <summary>An array of integers, named (a property) or not (an element of the enclosing array).</summary>
    private static void WriteIntegers(Utf8JsonWriter json, string? name, ReadOnlySpan<int> values)
    {
        if (name is null)
        {
            json.WriteStartArray();
        }
        else
        {
            json.WriteStartArray(name);
        }

        foreach (var value in values)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }

    private static int[] ReadIntegers(JsonElement element)
    {
        var values = new int[element.GetArrayLength()];
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            values[i++] = item.GetInt32();
        }

        return values;
    }

    private static void WriteMetadata(Utf8JsonWriter json, TrainingMetadata metadata)
    {
        json.WriteStartObject("metadata");
        json.WriteString("libraryVersion", metadata.LibraryVersion);
        json.WriteStartObject("parameters");
        foreach (var (key, value) in metadata.Parameters.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
        json.WriteNumber("seed", metadata.Seed);
        if (metadata.DataSha256 is null)
        {
            json.WriteNull("dataSha256");
        }
        else
        {
            json.WriteString("dataSha256", metadata.DataSha256);
        }

        json.WriteNumber("trainingRows", metadata.TrainingRows);
        json.WriteNumber("iterations", metadata.Iterations);
        json.WriteString("stopReason", metadata.StopReason);
        json.WriteEndObject();
    }

    private static TrainingMetadata ReadMetadata(JsonElement element) => new(
        element.GetProperty("libraryVersion").GetString()!,
        element.GetProperty("parameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal),
        element.GetProperty("seed").GetInt32(),
        element.GetProperty("dataSha256").GetString(),
        element.GetProperty("trainingRows").GetInt32(),
        element.GetProperty("iterations").GetInt32(),
        element.GetProperty("stopReason").GetString()!);

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static string[] ReadStrings(JsonElement element) => element.EnumerateArray().Select(e => e.GetString()!).ToArray();

    private static void WriteNumbers(Utf8JsonWriter json, string name, ReadOnlySpan<double> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }

    private static double[] ReadNumbers(JsonElement element)
    {
        var values = new double[element.GetArrayLength()];
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            values[i++] = item.GetDouble();
        }

        return values;
    }

    private static LearningTask ParseTask(string? name) =>
        TaskNames.TryParse(name, out var task) ? task : throw new FormatException($"unknown task '{name}'");

    private static string TypeName(ColumnType type) => type.ToString().ToLowerInvariant();

    private static ColumnType ParseType(string name) =>
        Enum.TryParse<ColumnType>(name, ignoreCase: true, out var type) ? type : throw new FormatException($"unknown column type '{name}'");
}
