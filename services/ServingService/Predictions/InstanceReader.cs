using System.Text.Json;
using MlOps.Images;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.ServingService.Models;

namespace MlOps.ServingService.Predictions;

/// <summary>
/// One instance of a prediction request: its values in the model's input order, its JSON as sent (without its pictures,
/// when it has some), and the pictures still to encode into <see cref="Row"/>.
/// </summary>
public readonly record struct Instance(FeatureValue[] Row, string Json, IReadOnlyList<PendingPicture>? Pictures = null)
{
    /// <summary>What the inference log keeps: the JSON as sent, each picture's bytes replaced by its identity and sketch.</summary>
    public string Logged() => Pictures is { Count: > 0 } pictures ? PictureValues.Logged(Json, pictures) : Json;
}

/// <summary>
/// Reads a prediction body against a model's input schema: one instance as a flat object, or
/// <c>{"instances": [ … ]}</c>. Every input must be present (<c>null</c> stands for a missing value, which the model
/// imputes as in training); a name the model does not take, or a value of the wrong type, is an error. An image input
/// takes <c>{"b64": …}</c> (<see cref="PictureValues"/>). Every error is reported, up to <see cref="MaxErrors"/>, keyed by
/// where it is (<c>instances[3].cart_value</c>).
/// </summary>
public static class InstanceReader
{
    public const string BatchProperty = "instances";
    public const int MaxErrors = 100;

    public static Instance[] Read(JsonElement root, LoadedModel model, int maxInstances, ImageLimits limits, Dictionary<string, string[]> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = [$"The body must be a JSON object: one instance, or {{\"{BatchProperty}\": [ … ]}}; got a JSON {Kind(root)}."];
            return [];
        }

        if (!model.InputIndex.ContainsKey(BatchProperty) && root.TryGetProperty(BatchProperty, out var batch))
        {
            return ReadBatch(root, batch, model, maxInstances, limits, errors);
        }

        var single = ReadInstance(root, model, string.Empty, limits, errors);
        return errors.Count == 0 ? [single] : [];
    }

    private static Instance[] ReadBatch(
        JsonElement root, JsonElement batch, LoadedModel model, int maxInstances, ImageLimits limits, Dictionary<string, string[]> errors)
    {
        if (batch.ValueKind != JsonValueKind.Array)
        {
            errors[BatchProperty] = [$"'{BatchProperty}' must be an array of instances; got a JSON {Kind(batch)}."];
            return [];
        }

        foreach (var other in root.EnumerateObject())
        {
            if (other.Name != BatchProperty)
            {
                errors[other.Name] = [$"A batch body holds only '{BatchProperty}'; '{other.Name}' is not expected beside it."];
            }
        }

        var count = batch.GetArrayLength();
        if (count == 0 || count > maxInstances)
        {
            errors[BatchProperty] = [$"Send 1 to {maxInstances} instances per request (Serving:MaxBatchInstances); got {count}."];
            return [];
        }

        var instances = new Instance[count];
        var index = 0;
        foreach (var element in batch.EnumerateArray())
        {
            var path = $"{BatchProperty}[{index}]";
            if (element.ValueKind != JsonValueKind.Object)
            {
                Add(errors, path, $"An instance must be a JSON object of input values; got a JSON {Kind(element)}.");
            }
            else
            {
                instances[index] = ReadInstance(element, model, path + ".", limits, errors);
            }

            if (errors.Count >= MaxErrors)
            {
                break;
            }

            index++;
        }

        return errors.Count == 0 ? instances : [];
    }

    private static Instance ReadInstance(JsonElement instance, LoadedModel model, string path, ImageLimits limits, Dictionary<string, string[]> errors)
    {
        var inputs = model.Scorer.Inputs;
        var row = new FeatureValue[inputs.Count];
        List<PendingPicture>? pictures = null;
        Span<bool> seen = inputs.Count <= 64 ? stackalloc bool[inputs.Count] : new bool[inputs.Count];
        foreach (var property in instance.EnumerateObject())
        {
            if (!model.InputIndex.TryGetValue(property.Name, out var position))
            {
                Add(errors, path + property.Name, $"'{property.Name}' is not an input of {model.Name} version {model.Version}.");
                continue;
            }

            seen[position] = true;
            if (inputs[position].Type == ColumnType.Image)
            {
                row[position] = FeatureValue.Missing;
                if (!PictureValues.TryRead(property.Value, limits, out var picture, out var pictureError))
                {
                    Add(errors, path + property.Name, $"'{property.Name}' {pictureError}");
                }
                else if (picture is not null)
                {
                    (pictures ??= []).Add(new PendingPicture(position, property.Name, path + property.Name, picture));
                }
            }
            else if (!Learning.Models.InputValues.TryFromJson(inputs[position], property.Value, out row[position], out var error))
            {
                Add(errors, path + property.Name, $"'{property.Name}' {error}");
            }
        }

        for (var i = 0; i < inputs.Count; i++)
        {
            if (!seen[i])
            {
                Add(errors, path + inputs[i].Name, $"'{inputs[i].Name}' is required (send null for a missing value).");
            }
        }

        return new Instance(row, pictures is null ? instance.GetRawText() : Logged(instance, pictures), pictures);
    }

    /// <summary>The instance as sent without its pictures, which are logged once encoded (<see cref="Instance.Logged"/>).</summary>
    private static string Logged(JsonElement instance, List<PendingPicture> pictures)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var property in instance.EnumerateObject())
            {
                if (!pictures.Exists(p => p.Input == property.Name))
                {
                    property.WriteTo(json);
                }
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Add(Dictionary<string, string[]> errors, string key, string message)
    {
        if (errors.Count < MaxErrors)
        {
            errors[key] = [message];
        }
    }

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();
}
