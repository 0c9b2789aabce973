using Microsoft.ML;
using Microsoft.ML.Data;
using MlOps.Contracts.Registry;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.Learning.MlNet;

/// <summary>
/// An ML.NET model made elsewhere (the <c>.zip</c> <c>mlContext.Model.Save</c> writes), scored through its own
/// pipeline. Its input schema, read from the file, is mapped to named inputs: number columns (Single, Double, Int32,
/// Int64) are numeric, Boolean ones boolean, Text ones categorical (or text, when the descriptor says so), and a float
/// vector named as the descriptor's <c>featureTensor</c> is filled from the inputs the descriptor lists, in order. The
/// target's own column, which a saved schema keeps, is left empty. Its answers are read from ML.NET's output columns by
/// name: <c>Probability</c> (binary), <c>Score</c> (a vector of class probabilities for multiclass, the value for
/// regression). Thread-safe without a lock: the transformer is immutable and each call transforms its own rows.
/// </summary>
public sealed class MlNetScorer : IScoringModel
{
    /// <summary>Rows a transform takes at a time when a whole table is scored.</summary>
    private const int RunRows = 4_096;

    private readonly ITransformer _model;
    private readonly DataViewSchema _schema;
    private readonly int[][] _fills;
    private readonly ScoreKind _kind;

    private MlNetScorer(
        ITransformer model, DataViewSchema schema, int[][] fills, ScoreKind kind, string target, IReadOnlyList<string> classes,
        IReadOnlyList<InputColumn> inputs, ModelDescriptor descriptor)
    {
        _model = model;
        _schema = schema;
        _fills = fills;
        _kind = kind;
        Target = target;
        Classes = classes;
        Inputs = inputs;
        Descriptor = descriptor;
        Task = kind switch
        {
            ScoreKind.Binary => LearningTask.BinaryClassification,
            ScoreKind.Multiclass => LearningTask.MulticlassClassification,
            _ => LearningTask.Regression,
        };
    }

    public LearningTask Task { get; }

    public string Target { get; }

    public IReadOnlyList<string> Classes { get; }

    public IReadOnlyList<InputColumn> Inputs { get; }

    /// <summary>The descriptor as read from the model: every input with its type, the task and the classes.</summary>
    public ModelDescriptor Descriptor { get; }

    /// <summary>
    /// Loads the model and maps its schema; null, with the faults in <paramref name="errors"/> (keyed <c>file</c>,
    /// <c>target</c>, <c>task</c>, <c>classes</c>, <c>featureTensor</c>, <c>inputs</c> or <c>schema.{column}</c>), when it
    /// is not an ML.NET model or its schema does not map. A binary model's classes come from the descriptor (the
    /// negative class first), ML.NET's labels being true and false.
    /// </summary>
    public static MlNetScorer? Load(byte[] file, ModelDescriptor descriptor, Dictionary<string, string[]> errors)
    {
        if (descriptor.Target is not { Length: > 0 } target)
        {
            errors["target"] = ["Name the column the model predicts (target): its predictions are evaluated against it."];
            return null;
        }

        var ml = new MLContext();
        ITransformer model;
        DataViewSchema schema;
        try
        {
            model = ml.Model.Load(new MemoryStream(file, writable: false), out schema);
        }
        catch (Exception exception) when (exception is InvalidOperationException or FormatException or InvalidDataException or ArgumentException or IOException or NotSupportedException)
        {
            errors["file"] = [$"The file is not an ML.NET model (the .zip mlContext.Model.Save writes): {exception.Message}"];
            return null;
        }

        var (inputs, fills, described) = MapInputs(schema, descriptor, target, errors);
        DataViewSchema output;
        try
        {
            output = model.GetOutputSchema(schema);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            errors["file"] = [$"The ML.NET model does not apply to its own input schema: {exception.Message}"];
            return null;
        }

        if (output.GetColumnOrNull("PredictedLabel") is { Type: BooleanDataViewType } && output.GetColumnOrNull("Probability") is null)
        {
            errors["file"] = ["The ML.NET model is a binary classifier without a calibrated 'Probability': this platform answers probabilities, so calibrate it (a calibrating trainer, or ml.BinaryClassification.Calibrators) before saving."];
            return null;
        }

        var kind = output.GetColumnOrNull("Probability") is { Type: var probability } && probability == NumberDataViewType.Single ? ScoreKind.Binary
            : output.GetColumnOrNull("Score") is { Type: VectorDataViewType { Size: > 0 } } ? ScoreKind.Multiclass
            : output.GetColumnOrNull("Score") is { Type: var score } && score == NumberDataViewType.Single ? (ScoreKind?)ScoreKind.Regression
            : null;
        if (kind is not { } found)
        {
            errors["file"] = ["The ML.NET model has no output this platform reads: a Single 'Probability' (binary), a vector 'Score' (multiclass) or a Single 'Score' (regression)."];
            return null;
        }

        var task = found switch
        {
            ScoreKind.Binary => LearningTask.BinaryClassification,
            ScoreKind.Multiclass => LearningTask.MulticlassClassification,
            _ => LearningTask.Regression,
        };
        if (descriptor.Task is { } given && (!TaskNames.TryParse(given, out var asked) || asked != task))
        {
            errors["task"] = [$"The descriptor says '{given}'; the model's outputs make it {TaskNames.Of(task)}."];
        }

        var classes = ClassesOf(output, found, descriptor, errors);
        if (errors.Count > 0)
        {
            return null;
        }

        return new MlNetScorer(
            model,
            schema,
            fills,
            found,
            target,
            classes,
            inputs,
            descriptor with { Task = TaskNames.Of(task), Classes = classes.Length > 0 ? classes : null, Inputs = described, Outputs = null });
    }

    public Prediction Score(ReadOnlySpan<FeatureValue> row) => Score([row.ToArray()])[0];

    public Prediction[] Score(IReadOnlyList<FeatureValue[]> rows)
    {
        var scored = _model.Transform(new InputRows(_schema, _fills, rows));
        var column = scored.Schema[_kind == ScoreKind.Binary ? "Probability" : "Score"];
        using var cursor = scored.GetRowCursor([column]);
        var predictions = new Prediction[rows.Count];
        var row = 0;
        switch (_kind)
        {
            case ScoreKind.Binary:
            {
                var probability = cursor.GetGetter<float>(column);
                var value = 0f;
                while (cursor.MoveNext())
                {
                    probability(ref value);
                    predictions[row++] = new Prediction(Classes[value >= 0.5f ? 1 : 0], [1 - (double)value, value], null);
                }

                break;
            }

            case ScoreKind.Multiclass:
            {
                var score = cursor.GetGetter<VBuffer<float>>(column);
                var values = default(VBuffer<float>);
                while (cursor.MoveNext())
                {
                    score(ref values);
                    var probabilities = new double[Classes.Count];
                    var best = 0;
                    var dense = values.DenseValues().GetEnumerator();
                    for (var k = 0; k < probabilities.Length && dense.MoveNext(); k++)
                    {
                        probabilities[k] = dense.Current;
                        best = probabilities[k] > probabilities[best] ? k : best;
                    }

                    predictions[row++] = new Prediction(Classes[best], probabilities, null);
                }

                break;
            }

            default:
            {
                var score = cursor.GetGetter<float>(column);
                var value = 0f;
                while (cursor.MoveNext())
                {
                    score(ref value);
                    predictions[row++] = new Prediction(null, null, value);
                }

                break;
            }
        }

        return predictions;
    }

    /// <summary>Scores every row of a table, <see cref="RunRows"/> rows to a transform, the transforms shared across the cores.</summary>
    public Prediction[] Score(DataTable table) => RunScoring.Score(this, table, RunRows);

    private static (List<InputColumn> Inputs, int[][] Fills, ModelInput[] Described) MapInputs(
        DataViewSchema schema, ModelDescriptor descriptor, string target, Dictionary<string, string[]> errors)
    {
        var inputs = new List<InputColumn>();
        var fills = new int[schema.Count][];
        var given = (descriptor.Inputs ?? []).Where(input => input.Name is not null).GroupBy(input => input.Name!, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First(), StringComparer.Ordinal);
        var tensorFound = false;
        var tensorInputs = new List<int>();
        foreach (var column in schema)
        {
            fills[column.Index] = [];
            if (column.IsHidden || column.Name == target)
            {
                continue;
            }

            if (column.Name == descriptor.FeatureTensor)
            {
                tensorFound = true;
                if (column.Type is not VectorDataViewType { Size: > 0 and var size, ItemType: var item } || item != NumberDataViewType.Single)
                {
                    errors["featureTensor"] = [$"'{column.Name}' is {column.Type}, not a vector of a known number of floats."];
                }
                else if (descriptor.Inputs is not { } listed || listed.Length < size)
                {
                    errors["inputs"] = [$"'{column.Name}' is a vector of {size} floats: list the {size} dataset columns that fill it, in order, first in inputs."];
                }
                else
                {
                    var slots = new int[size];
                    for (var i = 0; i < size; i++)
                    {
                        var (name, type) = (listed[i].Name, listed[i].Type ?? "numeric");
                        if (name is not { Length: > 0 } || type is not ("numeric" or "boolean"))
                        {
                            errors[$"inputs[{i}]"] = [$"Each input filling '{column.Name}' needs a name and the type numeric or boolean."];
                            continue;
                        }

                        slots[i] = inputs.Count;
                        inputs.Add(new InputColumn(name, type == "boolean" ? ColumnType.Boolean : ColumnType.Numeric));
                        tensorInputs.Add(inputs.Count - 1);
                    }

                    fills[column.Index] = slots;
                }

                continue;
            }

            ColumnType? mapped = column.Type switch
            {
                BooleanDataViewType => ColumnType.Boolean,
                TextDataViewType => given.TryGetValue(column.Name, out var input) && input.Type == "text" ? ColumnType.Text : ColumnType.Categorical,
                VectorDataViewType => null,
                var type when InputRows.CanFill(type) => ColumnType.Numeric,
                _ => null,
            };
            if (mapped is not { } inputType)
            {
                errors[$"schema.{column.Name}"] = [column.Type is VectorDataViewType vector
                    ? $"'{column.Name}' is a vector of {vector.Size} {vector.ItemType}: set featureTensor to it and list the columns that fill it, in order, as inputs (a vector of floats only)."
                    : $"'{column.Name}' is {column.Type}, which no dataset column feeds (numbers, booleans, text and float vectors do)."];
                continue;
            }

            fills[column.Index] = [inputs.Count];
            inputs.Add(new InputColumn(column.Name, inputType));
        }

        if (descriptor.FeatureTensor is { } tensor && !tensorFound)
        {
            errors["featureTensor"] = [$"The model's input schema has no column '{tensor}'."];
        }

        // The vector's inputs first, in its order (what a descriptor with a featureTensor lists first), then the columns.
        var order = tensorInputs.Concat(Enumerable.Range(0, inputs.Count).Except(tensorInputs));
        var described = order.Select(index => new ModelInput(inputs[index].Name, inputs[index].Type.ToString().ToLowerInvariant())).ToArray();
        return (inputs, fills, described);
    }

    private static string[] ClassesOf(DataViewSchema output, ScoreKind kind, ModelDescriptor descriptor, Dictionary<string, string[]> errors)
    {
        switch (kind)
        {
            case ScoreKind.Binary:
                if (descriptor.Classes is [{ } negative, { } positive])
                {
                    return [negative, positive];
                }

                errors["classes"] = ["Name the binary model's two classes, the one ML.NET calls false first: [negative, positive]."];
                return [];
            case ScoreKind.Multiclass:
            {
                var count = ((VectorDataViewType)output["Score"].Type).Size;
                if (descriptor.Classes is { } named)
                {
                    if (named.Length != count || named.Any(name => name is null))
                    {
                        errors["classes"] = [$"The model scores {count} classes; the descriptor names {named.Length}."];
                    }

                    return named;
                }

                var names = default(VBuffer<ReadOnlyMemory<char>>);
                if (output["Score"].HasSlotNames())
                {
                    output["Score"].GetSlotNames(ref names);
                }
                else if (output.GetColumnOrNull("PredictedLabel") is { } label && label.HasKeyValues())
                {
                    label.GetKeyValues(ref names);
                }

                var classes = names.DenseValues().Select(name => name.ToString()).ToArray();
                if (classes.Length != count)
                {
                    errors["classes"] = [$"The model does not name its {count} classes: list them in classes, in the order of its scores."];
                }

                return classes;
            }

            default:
                return [];
        }
    }
}
