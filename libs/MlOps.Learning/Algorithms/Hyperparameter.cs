using System.Globalization;
using System.Text.Json;
using MlOps.Contracts.Training;

namespace MlOps.Learning.Algorithms;

/// <summary>
/// One hyperparameter: its type, default and allowed range or choices. Values are kept as invariant strings, so a
/// job stores exactly what the learner will be given and a run records it.
/// </summary>
public sealed record Hyperparameter(
    string Name,
    HyperparameterType Type,
    string Default,
    string Description,
    double? Minimum = null,
    double? Maximum = null,
    IReadOnlyList<string>? Choices = null)
{
    /// <summary>The value as an invariant string, or the reason it is not acceptable.</summary>
    public (string? Value, string? Error) Read(JsonElement value)
    {
        switch (Type)
        {
            case HyperparameterType.Boolean:
                return value.ValueKind switch
                {
                    JsonValueKind.True => ("true", null),
                    JsonValueKind.False => ("false", null),
                    _ => (null, $"{Name} must be true or false."),
                };
            case HyperparameterType.Choice:
                return value.ValueKind == JsonValueKind.String && Choices!.Contains(value.GetString()!, StringComparer.Ordinal)
                    ? (value.GetString(), null)
                    : (null, $"{Name} must be one of: {string.Join(", ", Choices!)}.");
            default:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
                {
                    return (null, $"{Name} must be a number{RangeText()}.");
                }

                if (Type == HyperparameterType.WholeNumber && (number != Math.Floor(number) || Math.Abs(number) > int.MaxValue))
                {
                    return (null, $"{Name} must be a whole number{RangeText()}.");
                }

                if (number < Minimum || number > Maximum)
                {
                    return (null, $"{Name} must be{RangeText()}; got {number.ToString(CultureInfo.InvariantCulture)}.");
                }

                return (Type == HyperparameterType.WholeNumber
                    ? ((int)number).ToString(CultureInfo.InvariantCulture)
                    : number.ToString("R", CultureInfo.InvariantCulture), null);
        }
    }

    public HyperparameterDescription Describe() => new(
        Name, Type == HyperparameterType.WholeNumber ? "integer" : Type.ToString().ToLowerInvariant(), Default, Minimum, Maximum, Choices, Description);

    private string RangeText() => (Minimum, Maximum) switch
    {
        ({ } min, { } max) => $" between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}",
        ({ } min, null) => $" of at least {min.ToString(CultureInfo.InvariantCulture)}",
        _ => "",
    };
}
