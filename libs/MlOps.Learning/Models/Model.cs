using System.Buffers;
using System.Globalization;
using System.Text.Json;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Training;
using MlOps.Learning.Trees;

namespace MlOps.Learning.Models;

/// <summary>
/// A trained model: its inputs, the fitted featurizer, the predictor, the classes and how it was trained. Immutable
/// and thread-safe: one instance scores for every caller, with scratch space on the stack or from a pool, so scoring a
/// row allocates nothing beyond its <see cref="Prediction"/>.
/// </summary>
public sealed class Model : IScoringModel
{
    private const int StackEntries = 256;

    public Model(
        string algorithm,
        LearningTask task,
        string target,
        IReadOnlyList<string> classes,
        Featurizer featurizer,
        Predictor predictor,
        TrainingMetadata metadata)
    {
        if (predictor.Width != featurizer.Width)
        {
            throw new ArgumentException($"The predictor expects {predictor.Width} features; the featurizer makes {featurizer.Width}.");
        }

        Algorithm = algorithm;
        Task = task;
        Target = target;
        Classes = classes;
        Featurizer = featurizer;
        Predictor = predictor;
        Metadata = metadata;
        Inputs = featurizer.Columns.Select(column => new InputColumn(column.Column, column.SourceType)).ToArray();
    }

    public string Algorithm { get; }

    public LearningTask Task { get; }

    /// <summary>The column the model predicts.</summary>
    public string Target { get; }

    /// <summary>Class labels in probability order (empty for regression).</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>The input schema: the columns a row must provide, in the order <see cref="Score(ReadOnlySpan{FeatureValue})"/> takes them.</summary>
    public IReadOnlyList<InputColumn> Inputs { get; }

    public Featurizer Featurizer { get; }

    public Predictor Predictor { get; }

    public TrainingMetadata Metadata { get; }

    /// <summary>Scores one row given as one value per input, in <see cref="Inputs"/> order.</summary>
    public Prediction Score(ReadOnlySpan<FeatureValue> row)
    {
        if (row.Length != Inputs.Count)
        {
            throw new ArgumentException($"The model takes {Inputs.Count} inputs; the row has {row.Length}.", nameof(row));
        }

        var capacity = Featurizer.MaxEntries(row);
        int[]? rentedIndices = null;
        double[]? rentedValues = null;
        var indices = capacity <= StackEntries ? stackalloc int[StackEntries] : rentedIndices = ArrayPool<int>.Shared.Rent(capacity);
        var values = capacity <= StackEntries ? stackalloc double[StackEntries] : rentedValues = ArrayPool<double>.Shared.Rent(capacity);
        try
        {
            var count = Featurizer.Write(row, indices, values);
            Span<double> margins = stackalloc double[Predictor.Outputs];
            Predictor.Margins(indices[..count], values[..count], margins);
            return ToPrediction(margins);
        }
        finally
        {
            if (rentedIndices is not null)
            {
                ArrayPool<int>.Shared.Return(rentedIndices);
                ArrayPool<double>.Shared.Return(rentedValues!);
            }
        }
    }

    /// <summary>Scores a batch of rows, each one value per input in <see cref="Inputs"/> order, one after another (a row takes microseconds).</summary>
    public Prediction[] Score(IReadOnlyList<FeatureValue[]> rows)
    {
        var predictions = new Prediction[rows.Count];
        for (var row = 0; row < predictions.Length; row++)
        {
            predictions[row] = Score(rows[row]);
        }

        return predictions;
    }

    /// <summary>
    /// Scores one row given by input name. A missing name or null value counts as a missing value; numbers, booleans,
    /// strings and <see cref="JsonElement"/>s are accepted where they fit the input's type.
    /// </summary>
    public Prediction Score(IReadOnlyDictionary<string, object?> values)
    {
        var row = ArrayPool<FeatureValue>.Shared.Rent(Inputs.Count);
        try
        {
            for (var i = 0; i < Inputs.Count; i++)
            {
                row[i] = values.TryGetValue(Inputs[i].Name, out var value) ? ToFeatureValue(Inputs[i], value) : FeatureValue.Missing;
            }

            return Score(row.AsSpan(0, Inputs.Count));
        }
        finally
        {
            ArrayPool<FeatureValue>.Shared.Return(row, clearArray: true);
        }
    }

    /// <summary>
    /// Scores every row of a table holding the model's inputs (by name), in parallel. Trees over dense features take
    /// the batch path: the table is featurized whole and each block of rows walks the ensemble tree by tree.
    /// </summary>
    public Prediction[] Score(DataTable table)
    {
        if (Predictor is TreeEnsemblePredictor trees && !Featurizer.IsSparse)
        {
            return ScoreBatches(trees, table);
        }

        var sources = Inputs.Select(input => table[input.Name]).ToArray();
        var predictions = new Prediction[table.RowCount];
        Parallel.For(
            0,
            table.RowCount,
            () => new FeatureValue[sources.Length],
            (rowIndex, _, row) =>
            {
                for (var c = 0; c < sources.Length; c++)
                {
                    row[c] = ColumnFeaturizer.ValueAt(sources[c], rowIndex);
                }

                predictions[rowIndex] = Score(row);
                return row;
            },
            _ => { });
        return predictions;
    }

    /// <summary>
    /// The most rows a block of the batch path takes, and the fewest: blocks are what the cores share out, so a table of
    /// a few thousand rows still splits into a few blocks per core (the trees walk each block in cache-sized slices).
    /// </summary>
    private const int MaxBatchRows = 1_024;
    private const int MinBatchRows = 64;

    private Prediction[] ScoreBatches(TreeEnsemblePredictor trees, DataTable table)
    {
        var features = (DenseFeatureMatrix)Featurizer.Transform(table);
        var predictions = new Prediction[table.RowCount];
        var outputs = trees.Outputs;
        var blockRows = Math.Clamp(table.RowCount / (4 * Environment.ProcessorCount), MinBatchRows, MaxBatchRows);
        Parallel.For(0, (table.RowCount + blockRows - 1) / blockRows, block =>
        {
            var first = block * blockRows;
            var count = Math.Min(blockRows, table.RowCount - first);
            var margins = new double[count * outputs];
            trees.MarginsOfRows(features.Values.AsSpan(first * trees.Width, count * trees.Width), margins);
            for (var row = 0; row < count; row++)
            {
                predictions[first + row] = ToPrediction(margins.AsSpan(row * outputs, outputs));
            }
        });
        return predictions;
    }

    private Prediction ToPrediction(ReadOnlySpan<double> margins)
    {
        switch (Task)
        {
            case LearningTask.Regression:
                return new Prediction(null, null, margins[0]);
            case LearningTask.BinaryClassification:
            {
                var positive = LinearObjective.Sigmoid(margins[0]);
                return new Prediction(Classes[positive >= 0.5 ? 1 : 0], [1 - positive, positive], null);
            }

            default:
            {
                var probabilities = new double[margins.Length];
                var logSum = LinearObjective.LogSumExp(margins);
                var best = 0;
                for (var k = 0; k < margins.Length; k++)
                {
                    probabilities[k] = Math.Exp(margins[k] - logSum);
                    if (margins[k] > margins[best])
                    {
                        best = k;
                    }
                }

                return new Prediction(Classes[best], probabilities, null);
            }
        }
    }

    private static FeatureValue ToFeatureValue(InputColumn input, object? value)
    {
        var numeric = input.Type is ColumnType.Numeric or ColumnType.Boolean;
        return value switch
        {
            null => FeatureValue.Missing,
            JsonElement json => FromJson(input, json),
            bool flag when numeric => FeatureValue.FromBoolean(flag),
            double or float or int or long or decimal or short or byte when numeric =>
                FeatureValue.FromNumber(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            string text when numeric => ParseNumber(input, text),
            string text => FeatureValue.FromText(text),
            _ when !numeric && value is IConvertible => FeatureValue.FromText(Convert.ToString(value, CultureInfo.InvariantCulture)),
            _ => throw new ArgumentException($"Input '{input.Name}' expects {InputValues.Describe(input.Type)}; got a {value.GetType().Name}."),
        };
    }

    private static FeatureValue FromJson(InputColumn input, JsonElement json) =>
        InputValues.TryFromJson(input, json, out var value, out var error) ? value : throw new ArgumentException($"Input '{input.Name}' {error}");

    private static FeatureValue ParseNumber(InputColumn input, string text) =>
        InputValues.TryParse(input, text, out var value, out var error) ? value : throw new ArgumentException($"Input '{input.Name}' {error}");
}
