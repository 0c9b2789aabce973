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

    /// <summary>Probabilities are kept at least this in a loss (as the metrics do), so a confident mistake costs about 34.5, not ∞.</summary>
    private const double MinProbability = 1e-15;

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
    /// <see cref="SoftmaxRows"/>, taken once a round rather than once a class). With <paramref name="withLoss"/>, answers
    /// the rows' summed loss at these margins, which the gradients all but compute (0 for softmax: its probabilities bring it).
    /// </summary>
    public static double GradientsOf(
        BoostingObjective objective, int output, int outputs, ReadOnlySpan<double> margins, ReadOnlySpan<double> targets, Span<GradientPair> statistics, int from, int to, bool withLoss = false)
    {
        if (objective == BoostingObjective.LogLoss)
        {
            return LogLossGradients(margins, targets, statistics, from, to, withLoss);
        }

        var loss = 0.0;
        for (var row = from; row < to; row++)
        {
            if (objective == BoostingObjective.SquaredError)
            {
                var error = margins[row] - targets[row];
                statistics[row] = new GradientPair(error, 1);
                loss += error * error;
            }
            else
            {
                var q = margins[(row * outputs) + output];
                statistics[row] = new GradientPair(q - (targets[row] == output ? 1 : 0), Math.Max(q * (1 - q), MinHessian));
            }
        }

        return withLoss ? loss : 0;
    }

    /// <summary>
    /// Each row's class probabilities from its margins (both row-major, one a class), rows <paramref name="from"/> to
    /// <paramref name="to"/>; answers their summed loss −log q(target).
    /// </summary>
    public static double SoftmaxRows(ReadOnlySpan<double> margins, Span<double> probabilities, int outputs, ReadOnlySpan<double> targets, int from, int to)
    {
        var loss = 0.0;
        for (var row = from; row < to; row++)
        {
            var slice = probabilities.Slice(row * outputs, outputs);
            margins.Slice(row * outputs, outputs).CopyTo(slice);
            Softmax(slice);
            loss -= Math.Log(Math.Clamp(slice[(int)targets[row]], MinProbability, 1));
        }

        return loss;
    }

    /// <summary>
    /// Log-loss gradients p − y and hessians p(1 − p), with the sigmoids taken a vector at a time; with
    /// <paramref name="withLoss"/>, answers the summed loss −log of each row's probability of its own label.
    /// </summary>
    private static double LogLossGradients(ReadOnlySpan<double> margins, ReadOnlySpan<double> targets, Span<GradientPair> statistics, int from, int to, bool withLoss)
    {
        const int Chunk = 256;
        Span<double> probabilities = stackalloc double[Chunk];
        var loss = 0.0;
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

            if (withLoss)
            {
                loss += LogLossOf(chunk, targets.Slice(start, length));
            }
        }

        return loss;
    }

    /// <summary>
    /// The summed log-loss of rows given their probabilities of class 1 (a chunk of at most 256, overwritten): −log of
    /// each row's probability of its own label, kept at least <see cref="MinProbability"/>.
    /// </summary>
    private static double LogLossOf(Span<double> probabilities, ReadOnlySpan<double> targets)
    {
        for (var i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] = Math.Max(targets[i] == 1 ? probabilities[i] : 1 - probabilities[i], MinProbability);
        }

        TensorPrimitives.Log<double>(probabilities, probabilities);
        return -TensorPrimitives.Sum<double>(probabilities);
    }

    /// <summary>The mean loss of rows given their margins (row-major, one an output).</summary>
    public static double Loss(BoostingObjective objective, int outputs, ReadOnlySpan<double> margins, ReadOnlySpan<double> targets) =>
        LossSum(objective, outputs, margins, targets, 0, targets.Length) / targets.Length;

    /// <summary>
    /// The summed loss of the rows <paramref name="from"/> to <paramref name="to"/> (exclusive): a share of the rows
    /// for a worker, a vector at a time where the objective allows.
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
                Span<double> ofLabels = stackalloc double[Chunk];
                for (var start = from; start < to; start += Chunk)
                {
                    var length = Math.Min(Chunk, to - start);
                    var chunk = ofLabels[..length];
                    TensorPrimitives.Sigmoid(margins.Slice(start, length), chunk);
                    total += LogLossOf(chunk, targets.Slice(start, length));
                }

                break;
            default:
                Span<double> probabilities = stackalloc double[outputs];
                for (var row = from; row < to; row++)
                {
                    margins.Slice(row * outputs, outputs).CopyTo(probabilities);
                    Softmax(probabilities);
                    total -= Math.Log(Math.Clamp(probabilities[(int)targets[row]], MinProbability, 1));
                }

                break;
        }

        return total;
    }
}
