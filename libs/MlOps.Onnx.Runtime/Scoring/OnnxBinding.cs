using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.Onnx.Scoring;

/// <summary>A graph input and what feeds it: one column (<see cref="Column"/>), or every column as one tensor (null).</summary>
internal sealed record GraphInputBinding(string GraphInput, TensorElementType ElementType, int Rank, int? Column);

/// <summary>A graph output read for a prediction: its name, element type and, for probabilities, its columns (1 for a binary model's positive class).</summary>
internal sealed record GraphOutputBinding(string Name, TensorElementType ElementType, int Width);

/// <summary>A descriptor checked against a graph: what the scorer needs to feed it rows and read predictions.</summary>
internal sealed record OnnxBinding(
    LearningTask Task,
    string Target,
    IReadOnlyList<string> Classes,
    IReadOnlyList<InputColumn> Inputs,
    IReadOnlyList<GraphInputBinding> GraphInputs,
    GraphOutputBinding? Label,
    GraphOutputBinding? Probabilities,
    GraphOutputBinding? Value);
