namespace MlOps.Learning.Features;

/// <summary>
/// One input value for one column, without boxing: a number (numeric and boolean columns; NaN when missing), a string
/// (categorical and text columns; null when missing) or a picture's vector from its encoder (image columns; empty when
/// missing).
/// </summary>
public readonly record struct FeatureValue(double Number, string? Text, ReadOnlyMemory<float> Vector = default)
{
    public static readonly FeatureValue Missing = new(double.NaN, null);

    public static FeatureValue FromNumber(double value) => new(value, null);

    public static FeatureValue FromBoolean(bool value) => new(value ? 1.0 : 0.0, null);

    public static FeatureValue FromText(string? value) => new(double.NaN, value);

    public static FeatureValue FromVector(ReadOnlyMemory<float> vector) => new(double.NaN, null, vector);
}
