namespace MlOps.Learning.Metrics;

/// <summary>
/// Per-row terms of scikit-learn 1.2's <c>log_loss</c>: probabilities are clipped to [eps, 1 − eps] (eps is the
/// float64 machine epsilon, its <c>eps="auto"</c>), each row is divided by its sum, and the row's loss is −ln of its
/// actual class. Clipping keeps a confident wrong prediction finite (about 36 nats).
/// </summary>
internal static class LogLoss
{
    // 2^-52, numpy's finfo(float64).eps; .NET's double.Epsilon is the smallest subnormal, something else entirely.
    private const double Epsilon = 1.0 / (1L << 52);

    /// <summary>scikit-learn turns a binary P(class 1) into the row [1 − p, p] after clipping.</summary>
    public static double BinaryRow(int actual, double probability)
    {
        var positive = Clip(probability);
        var negative = 1 - positive;
        var sum = negative + positive;
        return -Math.Log((actual == 1 ? positive : negative) / sum);
    }

    /// <param name="row">One row of probabilities.</param>
    /// <param name="actual">The row's actual class.</param>
    /// <param name="clipped">Scratch space of the row's length.</param>
    public static double MulticlassRow(ReadOnlySpan<double> row, int actual, Span<double> clipped)
    {
        for (var j = 0; j < row.Length; j++)
        {
            clipped[j] = Clip(row[j]);
        }

        return -Math.Log(clipped[actual] / NumpySum.Of(clipped));
    }

    private static double Clip(double probability) => Math.Clamp(probability, Epsilon, 1 - Epsilon);
}
