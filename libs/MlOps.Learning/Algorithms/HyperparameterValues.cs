using System.Globalization;

namespace MlOps.Learning.Algorithms;

/// <summary>Typed access to a validated, default-filled hyperparameter set.</summary>
public sealed class HyperparameterValues(IReadOnlyDictionary<string, string> values)
{
    public IReadOnlyDictionary<string, string> All { get; } = values;

    public double Number(string name) => double.Parse(All[name], CultureInfo.InvariantCulture);

    public int WholeNumber(string name) => int.Parse(All[name], CultureInfo.InvariantCulture);

    public bool Boolean(string name) => All[name] == "true";

    public string Choice(string name) => All[name];
}
