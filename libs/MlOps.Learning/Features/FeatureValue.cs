namespace MlOps.Learning.Features;

/// <summary>
/// One input value for one column, without boxing: a number (numeric and boolean columns; NaN when missing) or a string
/// (categorical and text columns; null when missing).
/// </summary>
public readonly record struct FeatureValue(double Number, string? Text)
{
    public static readonly FeatureValue Missing = new(double.NaN, null);

    public static FeatureValue FromNumber(double value) => new(value, null);

    public static FeatureValue FromBoolean(bool value) => new(value ? 1.0 : 0.0, null);

    public static FeatureValue FromText(string? value) => new(double.NaN, value);
}
