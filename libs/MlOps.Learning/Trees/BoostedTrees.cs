using System.Numerics.Tensors;

namespace MlOps.Learning.Trees;

/// <summary>What boosting minimizes: squared error (regression), log-loss (two classes) or softmax cross-entropy.</summary>
public enum BoostingObjective
{
    SquaredError,
    LogLoss,
    Softmax,
}

/// <summary>
/// A boosted ensemble: per output (one, or one a class for softmax), a base score plus the sum of its trees' leaf
/// values (already scaled by the learning rate). Scoring allocates nothing beyond the caller's buffers.
/// </summary>
public sealed class BoostedTrees(BoostingObjective objective, double[] baseScores, DecisionTree[][] trees, int bestIteration)
{
    public BoostingObjective Objective { get; } = objective;

    /// <summary>One a output.</summary>
    public double[] BaseScores { get; } = baseScores;

    /// <summary>Trees[round][output].</summary>
    public DecisionTree[][] Trees { get; } = trees;

    /// <summary>The round early stopping kept (the last round without it); the model holds rounds 0 to this.</summary>
    public int BestIteration { get; } = bestIteration;

    public int Outputs => BaseScores.Length;

    /// <summary>The raw scores (margins) of a row, one an output, into <paramref name="margins"/>.</summary>
    public void Margins(ReadOnlySpan<double> row, Span<double> margins)
    {
        BaseScores.CopyTo(margins);
        foreach (var round in Trees)
        {
            for (var output = 0; output < round.Length; output++)
            {
                margins[output] += round[output].Predict(row);
            }
        }
    }

    /// <summary>
    /// The prediction of a row: the value (squared error), the probability of class 1 (log-loss), or each class's
    /// probability (softmax), into <paramref name="result"/> (one value, or one a class).
    /// </summary>
    public void Predict(ReadOnlySpan<double> row, Span<double> result)
    {
        Margins(row, result);
        Objectives.Transform(Objective, result);
    }
}

/// <summary>The objectives' gradients, hessians, losses and output transforms.</summary>
internal static class Objectives
{
    /// <summary>Hessians are kept at least this, so a confident row never divides by zero.</summary>
    private const double MinHessian = 1e-16;

    public static void Transform(BoostingObjective objective, Span<double> margins)
    {
        switch (objective)
        {
            case BoostingObjective.LogLoss:
                margins[0] = Sigmoid(margins[0]);
                break;
            case BoostingObjective.Softmax:
                Softmax(margins);
                break;
        }
    }

    public static double Sigmoid(double margin) => 1 / (1 + Math.Exp(-margin));

    public static void Softmax(Span<double> margins)
    {
        var max = double.NegativeInfinity;
        foreach (var margin in margins)
        {
            max = Math.Max(max, margin);
        }

        var total = 0.0;
        for (var k = 0; k < margins.Length; k++)
        {
            margins[k] = Math.Exp(margins[k] - max);
            total += margins[k];
        }

        for (var k = 0; k < margins.Length; k++)
        {
            margins[k] /= total;
        }
    }

    /// <summary>
    /// Gradients and hessians of the rows <paramref name="from"/> to <paramref name="to"/> (exclusive) for one output,
    /// from the rows' margins, or for softmax from their class probabilities (row-major, one a class: see
    /// <see cref="SoftmaxRows"/>, taken once a round rather than once a class).
    /// </summary>
    public static void GradientsOf(
        BoostingObjective objective, int output, int outputs, ReadOnlySpan<double> margins, ReadOnlySpan<double> targets, Span<GradientPair> statistics, int from, int to)
    {
        if (objective == BoostingObjective.LogLoss)
        {
            LogLossGradients(margins, targets, statistics, from, to);
            return;
        }

        for (var row = from; row < to; row++)
        {
            if (objective == BoostingObjective.SquaredError)
            {
                statistics[row] = new GradientPair(margins[row] - targets[row], 1);
            }
            else
            {
                var q = margins[(row * outputs) + output];
                statistics[row] = new GradientPair(q - (targets[row] == output ? 1 : 0), Math.Max(q * (1 - q), MinHessian));
            }
        }
    }

    /// <summary>Each row's class probabilities from its margins (both row-major, one a class), rows <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static void SoftmaxRows(ReadOnlySpan<double> margins, Span<double> probabilities, int outputs, int from, int to)
    {
        for (var row = from; row < to; row++)
        {
            var slice = probabilities.Slice(row * outputs, outputs);
            margins.Slice(row * outputs, outputs).CopyTo(slice);
            Softmax(slice);
        }
    }

    /// <summary>Log-loss gradients p − y and hessians p(1 − p), with the sigmoids taken a vector at a time.</summary>
    private static void LogLossGradients(ReadOnlySpan<double> margins, ReadOnlySpan<double> targets, Span<GradientPair> statistics, int from, int to)
    {
        const int Chunk = 256;
        Span<double> probabilities = stackalloc double[Chunk];
        for (var start = from; start < to; start += Chunk)
        {
            var length = Math.Min(Chunk, to - start);
            var chunk = probabilities[..length];
            TensorPrimitives.Sigmoid(margins.Slice(start, length), chunk);
            for (var i = 0; i < length; i++)
            {
                var p = chunk[i];
                statistics[start + i] = new GradientPair(p - targets[start + i], Math.Max(p * (1 - p), MinHessian));
            }
        }
    }

    /// <summary>The mean loss of rows given their margins (row-major, one an output).</summary>
    public static double Loss(BoostingObjective objective, int outputs, ReadOnlySpan<double> margins, ReadOnlySpan<double> targets) =>
        LossSum(objective, outputs, margins, targets, 0, targets.Length) / targets.Length;

    /// <summary>
    /// The summed loss of the rows <paramref name="from"/> to <paramref name="to"/> (exclusive): a share of the rows
    /// for a worker, a vector at a time where the objective allows (log-loss is softplus(m) − y·m, exact where the
    /// sigmoid would round to 0 or 1).
    /// </summary>
    public static double LossSum(BoostingObjective objective, int outputs, ReadOnlySpan<double> margins, ReadOnlySpan<double> targets, int from, int to)
    {
        const int Chunk = 256;
        var total = 0.0;
        switch (objective)
        {
            case BoostingObjective.SquaredError:
                Span<double> errors = stackalloc double[Chunk];
                for (var start = from; start < to; start += Chunk)
                {
                    var length = Math.Min(Chunk, to - start);
                    TensorPrimitives.Subtract(margins.Slice(start, length), targets.Slice(start, length), errors[..length]);
                    total += TensorPrimitives.SumOfSquares<double>(errors[..length]);
                }

                break;
            case BoostingObjective.LogLoss:
                Span<double> softplus = stackalloc double[Chunk];
                for (var start = from; start < to; start += Chunk)
                {
                    var length = Math.Min(Chunk, to - start);
                    var chunk = softplus[..length];
                    var m = margins.Slice(start, length);

                    // softplus(m) = max(m, 0) + log(1 + exp(−|m|)), which never overflows.
                    TensorPrimitives.Abs(m, chunk);
                    TensorPrimitives.Negate<double>(chunk, chunk);
                    TensorPrimitives.Exp<double>(chunk, chunk);
                    TensorPrimitives.LogP1<double>(chunk, chunk);
                    total += TensorPrimitives.Sum<double>(chunk) - TensorPrimitives.Dot(m, targets.Slice(start, length));
                    for (var i = 0; i < length; i++)
                    {
                        total += Math.Max(m[i], 0);
                    }
                }

                break;
            default:
                Span<double> probabilities = stackalloc double[outputs];
                for (var row = from; row < to; row++)
                {
                    margins.Slice(row * outputs, outputs).CopyTo(probabilities);
                    Softmax(probabilities);
                    total -= Math.Log(Math.Clamp(probabilities[(int)targets[row]], 1e-15, 1));
                }

                break;
        }

        return total;
    }
}
