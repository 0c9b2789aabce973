using System.Globalization;
using System.Text.Json;
using MlOps.Images;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.ServingService.Models;

namespace MlOps.ServingService.Predictions;

/// <summary>
/// One instance sent as <c>multipart/form-data</c>: a file part for each image input (named after it), a field for every
/// other input (its value as text; an empty field is a missing value). The same rules as a JSON instance otherwise:
/// every input present, no name the model does not take. The logged JSON holds the values typed as the inputs are.
/// </summary>
public static class MultipartInstance
{
    public static async Task<Instance[]> ReadAsync(
        HttpRequest request, LoadedModel model, ImageLimits limits, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var form = await request.ReadFormAsync(cancellationToken);
        var inputs = model.Scorer.Inputs;
        var row = new FeatureValue[inputs.Count];
        var seen = new bool[inputs.Count];
        var pictures = new List<PendingPicture>();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var file in form.Files)
            {
                if (!model.InputIndex.TryGetValue(file.Name, out var position) || inputs[position].Type != ColumnType.Image)
                {
                    errors[file.Name] = [$"'{file.Name}' is not an image input of {model.Name} version {model.Version}; only image inputs take a file part."];
                    continue;
                }

                seen[position] = true;
                row[position] = FeatureValue.Missing;
                if (PictureValues.SizeError(file.Length, limits) is { } error)
                {
                    errors[file.Name] = [$"'{file.Name}' {error}"];
                    continue;
                }

                var bytes = new byte[file.Length];
                await using (var content = file.OpenReadStream())
                {
                    await content.ReadExactlyAsync(bytes, cancellationToken);
                }

                pictures.Add(new PendingPicture(position, file.Name, file.Name, bytes));
            }

            foreach (var (name, values) in form)
            {
                if (!model.InputIndex.TryGetValue(name, out var position))
                {
                    errors[name] = [$"'{name}' is not an input of {model.Name} version {model.Version}."];
                    continue;
                }

                var input = inputs[position];
                seen[position] = true;
                if (values.Count > 1)
                {
                    errors[name] = [$"'{name}' is sent {values.Count} times; send each input once."];
                    continue;
                }

                if (input.Type == ColumnType.Image)
                {
                    errors[name] = [$"'{name}' is an image input: send the picture as a file part named '{name}'."];
                    continue;
                }

                if (ReadField(input, values.ToString(), json, out row[position]) is { } error)
                {
                    errors[name] = [$"'{name}' {error}"];
                }
            }

            json.WriteEndObject();
        }

        for (var i = 0; i < inputs.Count; i++)
        {
            if (!seen[i])
            {
                errors[inputs[i].Name] = [inputs[i].Type == ColumnType.Image
                    ? $"'{inputs[i].Name}' is required: a file part with the picture."
                    : $"'{inputs[i].Name}' is required (send an empty field for a missing value)."];
            }
        }

        return errors.Count > 0 ? [] : [new Instance(row, System.Text.Encoding.UTF8.GetString(buffer.ToArray()), pictures)];
    }

    /// <summary>A field's text as the input's value, written to the logged JSON as its type; the error, if any.</summary>
    private static string? ReadField(InputColumn input, string text, Utf8JsonWriter json, out FeatureValue value)
    {
        if (text.Length == 0)
        {
            json.WriteNull(input.Name);
            value = FeatureValue.Missing;
            return null;
        }

        if (input.Type is ColumnType.Numeric or ColumnType.Boolean)
        {
            if (!InputValues.TryParse(input, text, out value, out var error))
            {
                return error;
            }

            json.WriteNumber(input.Name, value.Number);
            return null;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            value = FeatureValue.Missing;
            return "contains U+0000 (NUL), which no text input may hold.";
        }

        json.WriteString(input.Name, text);
        value = FeatureValue.FromText(text);
        return null;
    }
}
