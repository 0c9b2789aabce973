using System.Globalization;
using System.Text.Json;
using MlOps.Contracts.Training;

namespace MlOps.TrainerService.Algorithms;

public enum HyperparameterType
{
    Number,
    WholeNumber,
    Boolean,
    Choice,
}

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

/// <summary>Typed access to a validated, default-filled hyperparameter set.</summary>
public sealed class HyperparameterValues(IReadOnlyDictionary<string, string> values)
{
    public IReadOnlyDictionary<string, string> All { get; } = values;

    public double Number(string name) => double.Parse(All[name], CultureInfo.InvariantCulture);

    public int WholeNumber(string name) => int.Parse(All[name], CultureInfo.InvariantCulture);

    public bool Boolean(string name) => All[name] == "true";

    public string Choice(string name) => All[name];
}
