namespace MlOps.Contracts.Registry;

/// <summary>
/// How to read a model made elsewhere (an ONNX graph, or an ML.NET model: docs/mlnet.md, where the schema gives the
/// inputs and the outputs are ML.NET's) — for ONNX: its task, the column it predicts and its classes, its named inputs and how they reach the graph — one graph input per column (<see cref="ModelInput.GraphInput"/>,
/// by default the column's name), or one float tensor whose columns are the inputs in order
/// (<see cref="FeatureTensor"/>) — and which outputs hold the label, the probabilities or the value. Optionally a
/// dataset version to evaluate it on.
/// </summary>
public sealed record ModelDescriptor(
    string? Task,
    string? Target,
    string[]? Classes,
    ModelInput[]? Inputs,
    string? FeatureTensor = null,
    ModelOutputNames? Outputs = null,
    DatasetVersionSelector? EvaluateOn = null);

/// <summary>One named input: <c>numeric</c>, <c>boolean</c>, <c>categorical</c> or <c>text</c>, and the graph input it feeds.</summary>
public sealed record ModelInput(string? Name, string? Type, string? GraphInput = null);

/// <summary>
/// The graph outputs that hold the predicted label (optional: derived from the probabilities when absent), the class
/// probabilities (one column per class, or for a binary model one column: the second class's), or the value.
/// </summary>
public sealed record ModelOutputNames(string? Label = null, string? Probabilities = null, string? Value = null);

/// <summary>A dataset version, by name and number.</summary>
public sealed record DatasetVersionSelector(string? Dataset, int? Version);
