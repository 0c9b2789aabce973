using System.Globalization;
using System.Text.Json;
using MlOps.Learning.Data;
using MlOps.Learning.Features;

namespace MlOps.Learning.Models;

/// <summary>
/// How a JSON value becomes an input of a model: null is a missing value; numeric inputs take numbers (or text that
/// parses as one) and booleans (as 1 or 0); boolean inputs take true, false, numbers, or "true"/"false"; categorical
/// and text inputs take text, and numbers or booleans as their JSON text. Anything else is refused with a reason.
/// </summary>
public static class InputValues
{
    public static bool TryFromJson(InputColumn input, JsonElement json, out FeatureValue value, out string? error)
    {
        var numeric = input.Type is ColumnType.Numeric or ColumnType.Boolean;
        error = null;
        switch (json.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                value = FeatureValue.Missing;
                return true;
            case JsonValueKind.Number when numeric:
                value = FeatureValue.FromNumber(json.GetDouble());
                return true;
            case JsonValueKind.True or JsonValueKind.False when numeric:
                value = FeatureValue.FromBoolean(json.GetBoolean());
                return true;
            case JsonValueKind.String when numeric:
                return TryParse(input, json.GetString()!, out value, out error);
            case JsonValueKind.String:
                var text = json.GetString()!;
                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    // Training data cannot hold one (CSV files are text), and neither can the reports of what was served.
                    value = FeatureValue.Missing;
                    error = "contains U+0000 (NUL), which no text input may hold.";
                    return false;
                }

                value = FeatureValue.FromText(text);
                return true;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                value = FeatureValue.FromText(json.GetRawText());
                return true;
            default:
                value = FeatureValue.Missing;
                error = $"expects {Describe(input.Type)}; got a JSON {json.ValueKind.ToString().ToLowerInvariant()}.";
                return false;
        }
    }

    /// <summary>Text for a numeric or boolean input: a number, or for a boolean input also true or false.</summary>
    public static bool TryParse(InputColumn input, string text, out FeatureValue value, out string? error)
    {
        error = null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            value = FeatureValue.FromNumber(number);
            return true;
        }

        if (input.Type == ColumnType.Boolean && bool.TryParse(text, out var flag))
        {
            value = FeatureValue.FromBoolean(flag);
            return true;
        }

        value = FeatureValue.Missing;
        error = $"expects {Describe(input.Type)}; got the text '{text}'.";
        return false;
    }

    public static string Describe(ColumnType type) => type switch
    {
        ColumnType.Numeric => "a number",
        ColumnType.Boolean => "true or false",
        ColumnType.Categorical => "a category (text)",
        _ => "text",
    };
}
