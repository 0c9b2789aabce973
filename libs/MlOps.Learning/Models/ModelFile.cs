using System.Reflection;
using System.Text.Json;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Training;

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

    public static Model Load(Stream stream)
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
                return Read(root);
            }
            catch (Exception exception) when (exception is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new ModelFormatException($"The model file is damaged: {exception.Message}", exception);
            }
        }
    }

    public static Model Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    private static Model Read(JsonElement root)
    {
        var featurizer = ReadFeaturizer(root.GetProperty("featurizer"));
        var predictor = ReadPredictor(root.GetProperty("predictor"));
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
                    json.WriteNumber("imputedValue", numeric.ImputedValue);
                    json.WriteNumber("center", numeric.Center);
                    json.WriteNumber("scale", numeric.Scale);
                    break;
                case CategoricalFeaturizer categorical:
                    json.WriteString("kind", "categorical");
                    WriteStrings(json, "categories", categorical.Categories);
                    break;
                case TextFeaturizer text:
                    json.WriteString("kind", "text");
                    json.WriteNumber("hashBits", text.HashBits);
                    json.WriteNumber("trainingDocuments", text.TrainingDocuments);
                    WriteNumbers(json, "idf", text.Idf);
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
                    column.GetProperty("imputedValue").GetDouble(),
                    column.GetProperty("center").GetDouble(),
                    column.GetProperty("scale").GetDouble()),
                "categorical" => new CategoricalFeaturizer(name, sourceType, offset, ReadStrings(column.GetProperty("categories"))),
                "text" => new TextFeaturizer(
                    name,
                    offset,
                    column.GetProperty("hashBits").GetInt32(),
                    ReadNumbers(column.GetProperty("idf")),
                    column.GetProperty("trainingDocuments").GetInt32()),
                var kind => throw new FormatException($"unknown featurizer kind '{kind}'"),
            });
        }

        return new Featurizer(columns);
    }

    private static void WritePredictor(Utf8JsonWriter json, LinearPredictor predictor)
    {
        json.WriteStartObject("predictor");
        json.WriteString("kind", "linear");
        json.WriteNumber("outputs", predictor.Outputs);
        json.WriteNumber("width", predictor.Width);
        WriteNumbers(json, "intercepts", predictor.Intercepts);
        WriteNumbers(json, "weights", predictor.Weights);
        json.WriteEndObject();
    }

    private static LinearPredictor ReadPredictor(JsonElement element)
    {
        if (element.GetProperty("kind").GetString() != "linear")
        {
            throw new FormatException($"unknown predictor kind '{element.GetProperty("kind").GetString()}'");
        }

        return new LinearPredictor(
            element.GetProperty("outputs").GetInt32(),
            element.GetProperty("width").GetInt32(),
            ReadNumbers(element.GetProperty("weights")),
            ReadNumbers(element.GetProperty("intercepts")));
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
