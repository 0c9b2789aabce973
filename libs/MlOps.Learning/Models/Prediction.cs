namespace MlOps.Learning.Models;

/// <summary>
/// One scored row: for classification the predicted <see cref="Label"/> and the probability of each class (in the
/// model's class order); for regression the predicted <see cref="Value"/>.
/// </summary>
public sealed record Prediction(string? Label, double[]? Probabilities, double? Value);
