namespace MlOps.Learning.Models;

/// <summary>
/// What turns a featurized row into margins, one an output: the raw scores the model's task turns into a value
/// (regression), a probability through the sigmoid (binary) or probabilities through the softmax (multiclass).
/// Immutable and thread-safe.
/// </summary>
public abstract class Predictor
{
    /// <summary>One for regression and binary classification, one a class for multiclass.</summary>
    public abstract int Outputs { get; }

    /// <summary>The features a row is featurized into.</summary>
    public abstract int Width { get; }

    /// <summary>Each output's margin for a row given as its non-zero (index, value) entries.</summary>
    public abstract void Margins(ReadOnlySpan<int> indices, ReadOnlySpan<double> values, Span<double> margins);
}
