using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Contracts.Registry;
using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.Onnx.Scoring;

/// <summary>
/// An ONNX model made elsewhere, loaded in ONNX Runtime and read through its descriptor: rows of the named inputs in,
/// <see cref="Prediction"/>s out, a batch in one <c>Run</c>. The session is thread-safe (ONNX Runtime allows concurrent
/// <c>Run</c> calls on one session) and holds native memory: dispose the scorer when the model is unloaded.
/// </summary>
public sealed class OnnxScorer : IScoringModel, IDisposable
{
    /// <summary>A table is scored this many rows to a run, so its tensors stay small whatever its size.</summary>
    private const int RunRows = 4_096;

    private readonly InferenceSession _session;

    /// <summary>Never changed after construction, so every concurrent run shares it.</summary>
    private readonly RunOptions _runOptions = new();
    private readonly OnnxBinding _binding;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    private OnnxScorer(InferenceSession session, OnnxBinding binding)
    {
        _session = session;
        _binding = binding;
        _inputNames = [.. binding.GraphInputs.Select(input => input.GraphInput)];
        _outputNames = [.. new[] { binding.Probabilities, binding.Label, binding.Value }.OfType<GraphOutputBinding>().Select(output => output.Name)];
    }

    public LearningTask Task => _binding.Task;

    public string Target => _binding.Target;

    /// <summary>Class labels in probability order (empty for regression).</summary>
    public IReadOnlyList<string> Classes => _binding.Classes;

    /// <summary>The named inputs, in the order <see cref="Score"/> takes a row's values.</summary>
    public IReadOnlyList<InputColumn> Inputs => _binding.Inputs;

    /// <summary>
    /// Loads the file in ONNX Runtime and checks the descriptor against the graph. A file ONNX Runtime refuses is one
    /// error under <c>file</c>; a descriptor that does not fit the graph is one error per fault.
    /// </summary>
    public static OnnxScorer? Load(byte[] onnx, ModelDescriptor descriptor, Dictionary<string, string[]> errors)
    {
        InferenceSession session;
        // One thread a run, the caller's: a server runs requests side by side (one a core), and a table is cut into
        // runs shared across the cores (Score(DataTable)). ONNX Runtime's default, a pool of spinning threads per
        // session, burns the cores the rest of the service needs: measured through the gateway, it halved the requests a
        // second an ONNX version served (bench/results/onnx-serving.md).
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        try
        {
            session = new InferenceSession(onnx, options);
        }
        catch (OnnxRuntimeException refused)
        {
            errors["file"] = [$"ONNX Runtime cannot load the file: {refused.Message}"];
            return null;
        }

        var binding = OnnxModelValidation.Validate(session, descriptor, errors);
        if (binding is null)
        {
            session.Dispose();
            return null;
        }

        return new OnnxScorer(session, binding);
    }

    /// <summary>Scores rows, each holding one value per input in <see cref="Inputs"/> order, in one run of the graph.</summary>
    public Prediction[] Score(IReadOnlyList<FeatureValue[]> rows)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        for (var row = 0; row < rows.Count; row++)
        {
            if (rows[row].Length != Inputs.Count)
            {
                throw new ArgumentException($"The model takes {Inputs.Count} inputs; row {row} has {rows[row].Length}.", nameof(rows));
            }
        }

        var inputs = new OrtValue[_binding.GraphInputs.Count];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i] = InputValue(_binding.GraphInputs[i], rows);
            }

            using var outputs = _session.Run(_runOptions, _inputNames, inputs, _outputNames);
            return Predictions(outputs, rows.Count);
        }
        finally
        {
            foreach (var input in inputs)
            {
                input?.Dispose();
            }
        }
    }

    public Prediction Score(ReadOnlySpan<FeatureValue> row) => Score([row.ToArray()])[0];

    /// <summary>Scores every row of a table, <see cref="RunRows"/> rows to a run, the runs shared across the cores (the session is thread-safe).</summary>
    public Prediction[] Score(DataTable table) => RunScoring.Score(this, table, RunRows);

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }

    private OrtValue InputValue(GraphInputBinding input, IReadOnlyList<FeatureValue[]> rows)
    {
        var count = rows.Count;
        if (input.Column is not { } column)
        {
            // Every input as one [N, k] tensor, row-major.
            var width = _binding.Inputs.Count;
            return input.ElementType == TensorElementType.Float
                ? Tensor(count * width, index => (float)rows[index / width][index % width].Number, [count, width])
                : Tensor(count * width, index => rows[index / width][index % width].Number, [count, width]);
        }

        long[] shape = input.Rank == 1 ? [count] : [count, 1];
        var name = _binding.Inputs[column].Name;
        switch (input.ElementType)
        {
            case TensorElementType.Float:
                return Tensor(count, row => (float)rows[row][column].Number, shape);
            case TensorElementType.Double:
                return Tensor(count, row => rows[row][column].Number, shape);
            case TensorElementType.Int64:
                return Tensor(count, row => checked((long)Whole(rows[row][column], name)), shape);
            case TensorElementType.Int32:
                return Tensor(count, row => checked((int)Whole(rows[row][column], name)), shape);
            case TensorElementType.Bool:
                return Tensor(count, row => Whole(rows[row][column], name) != 0, shape);
            default:
                var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                for (var row = 0; row < count; row++)
                {
                    strings.StringTensorSetElementAt(rows[row][column].Text ?? string.Empty, row);
                }

                return strings;
        }
    }

    /// <summary>A value for an integer or boolean graph input, which has no way to say "missing".</summary>
    private static double Whole(in FeatureValue value, string input) =>
        double.IsNaN(value.Number) || value.Number != Math.Floor(value.Number)
            ? throw new ArgumentException($"Input '{input}' feeds an integer input of the model: give a whole number (missing values cannot be given).")
            : value.Number;

    private static OrtValue Tensor<T>(int length, Func<int, T> value, long[] shape) where T : unmanaged
    {
        var data = new T[length];
        for (var i = 0; i < length; i++)
        {
            data[i] = value(i);
        }

        return OrtValue.CreateTensorValueFromMemory(data, shape);
    }

    private Prediction[] Predictions(IDisposableReadOnlyCollection<OrtValue> outputs, int count)
    {
        var values = outputs.ToArray();
        var predictions = new Prediction[count];
        if (_binding.Task == LearningTask.Regression)
        {
            var regression = Reals(values[0], count, 1);
            for (var row = 0; row < count; row++)
            {
                predictions[row] = new Prediction(null, null, regression[row]);
            }

            return predictions;
        }

        var classes = _binding.Classes.Count;
        var width = _binding.Probabilities!.Width;
        var probabilities = Reals(values[0], count, width);
        var labels = _binding.Label is null ? null : Labels(values[1], count);
        for (var row = 0; row < count; row++)
        {
            var p = new double[classes];
            if (width == 1)
            {
                // A binary model's one column: the second class's probability.
                p[1] = probabilities[row];
                p[0] = 1 - p[1];
            }
            else
            {
                Array.Copy(probabilities, row * width, p, 0, classes);
            }

            predictions[row] = new Prediction(labels?[row] ?? MostLikely(p), p, null);
        }

        return predictions;
    }

    private static double[] Reals(OrtValue value, int count, int width)
    {
        var data = new double[count * width];
        if (value.GetTensorTypeAndShape().ElementDataType == TensorElementType.Float)
        {
            var floats = value.GetTensorDataAsSpan<float>();
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = floats[i];
            }
        }
        else
        {
            value.GetTensorDataAsSpan<double>()[..data.Length].CopyTo(data);
        }

        return data;
    }

    private string[] Labels(OrtValue value, int count)
    {
        var labels = new string[count];
        switch (value.GetTensorTypeAndShape().ElementDataType)
        {
            case TensorElementType.String:
                for (var row = 0; row < count; row++)
                {
                    labels[row] = value.GetStringElement(row);
                }

                break;
            case TensorElementType.Bool:
                var flags = value.GetTensorDataAsSpan<bool>();
                for (var row = 0; row < count; row++)
                {
                    labels[row] = _binding.Classes[flags[row] ? 1 : 0];
                }

                break;
            default:
                var numbers = value.GetTensorDataAsSpan<long>();
                for (var row = 0; row < count; row++)
                {
                    labels[row] = numbers[row].ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                break;
        }

        return labels;
    }

    private string MostLikely(double[] probabilities)
    {
        var best = 0;
        for (var k = 1; k < probabilities.Length; k++)
        {
            if (probabilities[k] > probabilities[best])
            {
                best = k;
            }
        }

        return _binding.Classes[best];
    }
}
