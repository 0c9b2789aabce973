using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Contracts.Registry;
using MlOps.Learning.Data;
using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.Onnx.Scoring;

/// <summary>
/// Checks a descriptor against the graph ONNX Runtime loaded: every named input fits a graph input (its element type
/// and shape), every graph input is fed, and the outputs named hold what the task needs. Every fault is reported, keyed
/// by where it is in the descriptor (<c>inputs[2].graphInput</c>, <c>outputs.probabilities</c>).
/// </summary>
internal static class OnnxModelValidation
{
    public const int MaxInputs = 1_000;

    private static readonly TensorElementType[] Numbers = [TensorElementType.Float, TensorElementType.Double, TensorElementType.Int64, TensorElementType.Int32];
    private static readonly TensorElementType[] Reals = [TensorElementType.Float, TensorElementType.Double];

    public static OnnxBinding? Validate(InferenceSession session, ModelDescriptor descriptor, Dictionary<string, string[]> errors)
    {
        var task = descriptor.Task switch
        {
            TaskNames.Binary => LearningTask.BinaryClassification,
            TaskNames.Multiclass => LearningTask.MulticlassClassification,
            TaskNames.Regression => LearningTask.Regression,
            _ => (LearningTask?)null,
        };
        if (task is null)
        {
            errors["task"] = [$"task is '{TaskNames.Binary}', '{TaskNames.Multiclass}' or '{TaskNames.Regression}'; got '{descriptor.Task}'."];
        }

        if (string.IsNullOrWhiteSpace(descriptor.Target))
        {
            errors["target"] = ["Name the column the model predicts (target): what its predictions are evaluated against and logged as."];
        }

        var classes = Classes(task, descriptor.Classes, errors);
        var inputs = Inputs(descriptor.Inputs, errors);
        var graphInputs = inputs is null ? null : descriptor.FeatureTensor is { } tensor
            ? FeatureTensor(session, tensor, inputs, errors)
            : PerColumn(session, descriptor.Inputs!, inputs, errors);
        var outputs = descriptor.Outputs ?? new ModelOutputNames();
        GraphOutputBinding? label = null, probabilities = null, value = null;
        if (task == LearningTask.Regression)
        {
            value = Output(session, outputs.Value, "outputs.value", Reals, errors, width: 1);
        }
        else if (task is not null && classes is not null)
        {
            probabilities = Output(session, outputs.Probabilities, "outputs.probabilities", Reals, errors, width: classes.Length);
            label = outputs.Label is null ? null
                : Output(session, outputs.Label, "outputs.label", [TensorElementType.String, TensorElementType.Int64, TensorElementType.Bool], errors, width: 1);
        }

        return errors.Count > 0 ? null : new OnnxBinding(task!.Value, descriptor.Target!, classes ?? [], inputs!, graphInputs!, label, probabilities, value);
    }

    private static string[]? Classes(LearningTask? task, string[]? classes, Dictionary<string, string[]> errors)
    {
        if (task == LearningTask.Regression)
        {
            if (classes is { Length: > 0 })
            {
                errors["classes"] = ["A regression model has no classes."];
            }

            return [];
        }

        if (classes is null || classes.Length < 2 || classes.Any(string.IsNullOrEmpty) || classes.Distinct(StringComparer.Ordinal).Count() != classes.Length)
        {
            errors["classes"] = ["Name the classes in the order of the model's probabilities: two or more distinct, non-empty names."];
            return null;
        }

        if (task == LearningTask.BinaryClassification && classes.Length != 2)
        {
            errors["classes"] = [$"A binary model has two classes; got {classes.Length}."];
            return null;
        }

        return classes;
    }

    private static List<InputColumn>? Inputs(ModelInput[]? inputs, Dictionary<string, string[]> errors)
    {
        if (inputs is not { Length: > 0 and <= MaxInputs })
        {
            errors["inputs"] = [$"Name the model's inputs: 1 to {MaxInputs}."];
            return null;
        }

        var columns = new List<InputColumn>(inputs.Length);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = inputs[i];
            if (string.IsNullOrWhiteSpace(input.Name) || !seen.Add(input.Name))
            {
                errors[$"inputs[{i}].name"] = [string.IsNullOrWhiteSpace(input.Name) ? "An input needs a name." : $"The input name '{input.Name}' is used twice."];
                continue;
            }

            ColumnType? type = input.Type switch
            {
                "numeric" => ColumnType.Numeric,
                "boolean" => ColumnType.Boolean,
                "categorical" => ColumnType.Categorical,
                "text" => ColumnType.Text,
                _ => null,
            };
            if (type is null)
            {
                errors[$"inputs[{i}].type"] = [$"An input's type is 'numeric', 'boolean', 'categorical' or 'text'; got '{input.Type}'."];
                continue;
            }

            columns.Add(new InputColumn(input.Name, type.Value));
        }

        return errors.Keys.Any(key => key.StartsWith("inputs", StringComparison.Ordinal)) ? null : columns;
    }

    private static List<GraphInputBinding>? PerColumn(InferenceSession session, ModelInput[] inputs, List<InputColumn> columns, Dictionary<string, string[]> errors)
    {
        var bindings = new List<GraphInputBinding>(columns.Count);
        var fed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            var graphInput = inputs[i].GraphInput ?? columns[i].Name;
            var key = $"inputs[{i}].graphInput";
            if (!session.InputMetadata.TryGetValue(graphInput, out var metadata))
            {
                errors[key] = [$"The graph has no input '{graphInput}'; its inputs: {string.Join(", ", session.InputMetadata.Keys)}."];
                continue;
            }

            if (!fed.Add(graphInput))
            {
                errors[key] = [$"The graph input '{graphInput}' is fed by two inputs."];
                continue;
            }

            TensorElementType[] fits = columns[i].Type switch
            {
                ColumnType.Numeric => Numbers,
                ColumnType.Boolean => [.. Numbers, TensorElementType.Bool],
                _ => [TensorElementType.String],
            };
            if (Tensor(metadata, fits, key, graphInput, errors) is { } rank && ColumnDimension(metadata, 1, key, graphInput, errors))
            {
                bindings.Add(new GraphInputBinding(graphInput, metadata.ElementDataType, rank, i));
            }
        }

        foreach (var unfed in session.InputMetadata.Keys.Where(name => !fed.Contains(name)))
        {
            errors["inputs"] = [.. errors.GetValueOrDefault("inputs") ?? [], $"The graph input '{unfed}' is fed by no input; name an input for it (graphInput)."];
        }

        return errors.Keys.Any(key => key.StartsWith("inputs", StringComparison.Ordinal)) ? null : bindings;
    }

    private static List<GraphInputBinding>? FeatureTensor(InferenceSession session, string tensor, List<InputColumn> columns, Dictionary<string, string[]> errors)
    {
        if (!session.InputMetadata.TryGetValue(tensor, out var metadata))
        {
            errors["featureTensor"] = [$"The graph has no input '{tensor}'; its inputs: {string.Join(", ", session.InputMetadata.Keys)}."];
            return null;
        }

        if (session.InputMetadata.Count > 1)
        {
            errors["featureTensor"] = [$"The graph has other inputs besides '{tensor}' ({string.Join(", ", session.InputMetadata.Keys.Where(name => name != tensor))}); bind each input with graphInput instead."];
            return null;
        }

        if (columns.FirstOrDefault(column => column.Type is not (ColumnType.Numeric or ColumnType.Boolean)) is { } notNumber)
        {
            errors["featureTensor"] = [$"A feature tensor holds numbers; the input '{notNumber.Name}' is {notNumber.Type.ToString().ToLowerInvariant()}."];
            return null;
        }

        var rank = Tensor(metadata, Reals, "featureTensor", tensor, errors);
        if (rank is 1)
        {
            errors["featureTensor"] = [$"The input '{tensor}' must be a [N, {columns.Count}] tensor; it has one dimension."];
        }

        return rank is 2 && ColumnDimension(metadata, columns.Count, "featureTensor", tensor, errors)
            ? [new GraphInputBinding(tensor, metadata.ElementDataType, 2, null)]
            : null;
    }

    private static GraphOutputBinding? Output(InferenceSession session, string? name, string key, TensorElementType[] fits, Dictionary<string, string[]> errors, int width)
    {
        if (name is null)
        {
            errors[key] = [$"Name the graph output that holds this ({key}); the graph's outputs: {string.Join(", ", session.OutputMetadata.Keys)}."];
            return null;
        }

        if (!session.OutputMetadata.TryGetValue(name, out var metadata))
        {
            errors[key] = [$"The graph has no output '{name}'; its outputs: {string.Join(", ", session.OutputMetadata.Keys)}."];
            return null;
        }

        if (metadata.OnnxValueType == OnnxValueType.ONNX_TYPE_SEQUENCE)
        {
            errors[key] = [$"The output '{name}' is a sequence of maps (a ZipMap); export the model with its probabilities as a tensor (skl2onnx: zipmap=False)."];
            return null;
        }

        if (Tensor(metadata, fits, key, name, errors) is not { } rank)
        {
            return null;
        }

        var columns = rank == 2 ? metadata.Dimensions[1] : 1;
        if (width > 1 && columns != -1 && columns != width && !(width == 2 && columns == 1 && key.EndsWith("probabilities", StringComparison.Ordinal)))
        {
            return Fail<GraphOutputBinding>(errors, key, $"The output '{name}' has {columns} columns; the model has {width} classes.");
        }

        return new GraphOutputBinding(name, metadata.ElementDataType, columns == -1 ? width : columns);
    }

    /// <summary>The tensor's rank (1 or 2, rows first) when its element type fits; else null, with the error.</summary>
    private static int? Tensor(NodeMetadata metadata, TensorElementType[] fits, string key, string name, Dictionary<string, string[]> errors)
    {
        if (!metadata.IsTensor)
        {
            return Fail<int?>(errors, key, $"'{name}' is a {metadata.OnnxValueType}, not a tensor.");
        }

        if (!fits.Contains(metadata.ElementDataType))
        {
            return Fail<int?>(errors, key, $"'{name}' holds {metadata.ElementDataType}; it must hold {string.Join(" or ", fits)}.");
        }

        return metadata.Dimensions.Length is 1 or 2
            ? metadata.Dimensions.Length
            : Fail<int?>(errors, key, $"'{name}' has shape [{string.Join(", ", metadata.Dimensions)}]; rows first, then at most one more dimension.");
    }

    private static bool ColumnDimension(NodeMetadata metadata, int columns, string key, string name, Dictionary<string, string[]> errors) =>
        metadata.Dimensions.Length == 1 || metadata.Dimensions[1] == -1 || metadata.Dimensions[1] == columns
        || Fail<bool>(errors, key, $"'{name}' has {metadata.Dimensions[1]} columns; it must have {columns}.");

    private static T? Fail<T>(Dictionary<string, string[]> errors, string key, string message)
    {
        errors[key] = [message];
        return default;
    }
}
