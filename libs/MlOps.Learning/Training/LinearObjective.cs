using System.Numerics.Tensors;
using MlOps.Learning.Features;
using MlOps.Learning.Optimization;

namespace MlOps.Learning.Training;

/// <summary>
/// The regularized loss of a linear model, divided by the row count (which does not move the minimizer):
/// <c>(Σ_i loss_i + ½·λ·Σ_k ‖w_k‖²) / n</c>, intercepts not penalized — scikit-learn's objective with <c>C = 1/λ</c>
/// (LogisticRegression) and <c>alpha = λ</c> (Ridge, whose squared loss is <c>½·r²</c> here). Parameters are one block
/// of (weights, intercept) per output. Rows are split into a fixed number of partitions whose partial gradients are
/// summed in order, so the result does not depend on thread scheduling or core count.
/// </summary>
internal sealed class LinearObjective : IDifferentiableFunction
{
    private const int RowsPerPartition = 2048;
    private const int MaxPartitions = 16;

    private readonly FeatureMatrix _features;
    private readonly TargetEncoding _target;
    private readonly int _outputs;
    private readonly double _l2;
    private readonly int _block;
    private readonly int _partitions;
    private readonly double[][] _partialGradients;
    private readonly double[] _partialLosses;
    private readonly double[] _parameters;

    public LinearObjective(FeatureMatrix features, TargetEncoding target, double l2)
    {
        _features = features;
        _target = target;
        _outputs = OutputsFor(target);
        _l2 = l2;
        _block = features.ColumnCount + 1;
        _partitions = Math.Clamp((features.RowCount + RowsPerPartition - 1) / RowsPerPartition, 1, MaxPartitions);
        _partialGradients = new double[_partitions][];
        for (var p = 0; p < _partitions; p++)
        {
            _partialGradients[p] = new double[Dimension];
        }

        _partialLosses = new double[_partitions];
        _parameters = new double[Dimension];
    }

    public int Dimension => _outputs * _block;

    public static int OutputsFor(TargetEncoding target) =>
        target.Task == LearningTask.MulticlassClassification ? target.Classes.Length : 1;

    public double Evaluate(ReadOnlySpan<double> x, Span<double> gradient)
    {
        // The partitions read the parameters from a field: a span cannot cross into the parallel loop.
        x.CopyTo(_parameters);
        Parallel.For(0, _partitions, partition => EvaluatePartition(partition, _parameters));

        gradient.Clear();
        var loss = 0.0;
        for (var p = 0; p < _partitions; p++)
        {
            loss += _partialLosses[p];
            TensorPrimitives.Add(gradient, _partialGradients[p], gradient);
        }

        var width = _features.ColumnCount;
        for (var k = 0; k < _outputs; k++)
        {
            var weights = x.Slice(k * _block, width);
            loss += 0.5 * _l2 * TensorPrimitives.Dot(weights, weights);
            var g = gradient.Slice(k * _block, width);
            TensorPrimitives.MultiplyAdd(weights, _l2, g, g);
        }

        var n = (double)_features.RowCount;
        TensorPrimitives.Divide(gradient, n, gradient);
        return loss / n;
    }

    private void EvaluatePartition(int partition, double[] parameters)
    {
        var gradient = _partialGradients[partition];
        Array.Clear(gradient);
        var start = (int)((long)_features.RowCount * partition / _partitions);
        var end = (int)((long)_features.RowCount * (partition + 1) / _partitions);
        Span<double> margins = _outputs <= 64 ? stackalloc double[_outputs] : new double[_outputs];
        var width = _features.ColumnCount;
        var loss = 0.0;
        for (var row = start; row < end; row++)
        {
            for (var k = 0; k < _outputs; k++)
            {
                margins[k] = _features.Dot(row, parameters.AsSpan(k * _block, width)) + parameters[(k * _block) + width];
            }

            switch (_target.Task)
            {
                case LearningTask.Regression:
                {
                    var residual = margins[0] - _target.Values[row];
                    loss += 0.5 * residual * residual;
                    AddToOutput(gradient, 0, row, residual);
                    break;
                }

                case LearningTask.BinaryClassification:
                {
                    var z = margins[0];
                    var positive = _target.Codes[row] == 1;
                    loss += Softplus(positive ? -z : z);
                    AddToOutput(gradient, 0, row, Sigmoid(z) - (positive ? 1.0 : 0.0));
                    break;
                }

                default:
                {
                    var logSum = LogSumExp(margins);
                    var actual = _target.Codes[row];
                    loss += logSum - margins[actual];
                    for (var k = 0; k < _outputs; k++)
                    {
                        AddToOutput(gradient, k, row, Math.Exp(margins[k] - logSum) - (k == actual ? 1.0 : 0.0));
                    }

                    break;
                }
            }
        }

        _partialLosses[partition] = loss;
    }

    private void AddToOutput(double[] gradient, int output, int row, double coefficient)
    {
        var width = _features.ColumnCount;
        _features.AddScaledRow(row, coefficient, gradient.AsSpan(output * _block, width));
        gradient[(output * _block) + width] += coefficient;
    }

    internal static double Softplus(double z) => Math.Max(z, 0) + double.LogP1(Math.Exp(-Math.Abs(z)));

    internal static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    internal static double LogSumExp(ReadOnlySpan<double> values)
    {
        var max = TensorPrimitives.Max(values);
        var sum = 0.0;
        foreach (var value in values)
        {
            sum += Math.Exp(value - max);
        }

        return max + Math.Log(sum);
    }
}
