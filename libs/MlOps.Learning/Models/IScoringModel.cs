using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Training;

namespace MlOps.Learning.Models;

/// <summary>
/// What scores rows, whatever made it: the platform's own <see cref="Model"/>, or a model made elsewhere (an ONNX file
/// read through its descriptor). Evaluation, drift references and serving need nothing more.
/// </summary>
public interface IScoringModel
{
    LearningTask Task { get; }

    /// <summary>The column the model predicts.</summary>
    string Target { get; }

    /// <summary>Class labels in probability order (empty for regression).</summary>
    IReadOnlyList<string> Classes { get; }

    /// <summary>The input schema: the columns a row must provide, in the order <see cref="Score(ReadOnlySpan{FeatureValue})"/> takes them.</summary>
    IReadOnlyList<InputColumn> Inputs { get; }

    /// <summary>Scores one row given as one value per input, in <see cref="Inputs"/> order.</summary>
    Prediction Score(ReadOnlySpan<FeatureValue> row);

    /// <summary>
    /// Scores a batch of rows, each one value per input in <see cref="Inputs"/> order: what a prediction request with
    /// several instances scores at once (an ONNX model in one run of its graph).
    /// </summary>
    Prediction[] Score(IReadOnlyList<FeatureValue[]> rows);

    /// <summary>Scores every row of a table holding the model's inputs (by name).</summary>
    Prediction[] Score(DataTable table);
}
