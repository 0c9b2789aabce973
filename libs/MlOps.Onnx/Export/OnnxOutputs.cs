namespace MlOps.Onnx.Export;

/// <summary>
/// The outputs of an exported model, by name. Inputs are the model's input columns under their own names, each
/// <c>[N, 1]</c>: numbers and booleans as <c>float</c> (NaN for missing; booleans 1 or 0), categories as
/// <c>string</c> (a value not seen in training, or empty, counts as "other").
/// </summary>
public static class OnnxOutputs
{
    /// <summary>Classification: the predicted class, <c>string [N]</c>.</summary>
    public const string Label = "label";

    /// <summary>Classification: each class's probability in the model's class order, <c>double [N, classes]</c>.</summary>
    public const string Probabilities = "probabilities";

    /// <summary>Regression: the predicted value, <c>double [N]</c>.</summary>
    public const string Value = "value";
}
