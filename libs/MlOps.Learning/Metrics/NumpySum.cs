namespace MlOps.Learning.Metrics;

/// <summary>
/// Adds doubles in exactly the order numpy's <c>add.reduce</c> does (so <c>sum</c>, <c>mean</c> and scikit-learn's
/// metrics): 8192-element chunks added one after another, each summed pairwise. Its error grows like log n rather
/// than n, and matching numpy's order makes results agree with scikit-learn to the last bit, not just closely.
/// Terms are streamed through <see cref="Add"/> so callers need no n-element buffer.
/// </summary>
internal sealed class NumpySum
{
    // numpy's default ufunc buffer size: a reduction is fed to the pairwise loop this many elements at a time.
    private const int ChunkLength = 8192;

    // At or below this length numpy stops splitting and adds with eight interleaved accumulators.
    private const int BlockLength = 128;

    private readonly double[] _chunk;
    private int _pending;
    private double _total;

    public NumpySum(int termCount)
    {
        _chunk = new double[Math.Clamp(termCount, 1, ChunkLength)];
    }

    public void Add(double term)
    {
        _chunk[_pending++] = term;
        if (_pending == _chunk.Length)
        {
            _total += Pairwise(_chunk);
            _pending = 0;
        }
    }

    public double Total => _total + Pairwise(_chunk.AsSpan(0, _pending));

    public static double Of(ReadOnlySpan<double> values)
    {
        var total = 0.0;
        for (var start = 0; start < values.Length; start += ChunkLength)
        {
            total += Pairwise(values.Slice(start, Math.Min(ChunkLength, values.Length - start)));
        }

        return total;
    }

    private static double Pairwise(ReadOnlySpan<double> values)
    {
        var n = values.Length;
        if (n < 8)
        {
            var sum = 0.0;
            foreach (var value in values)
            {
                sum += value;
            }

            return sum;
        }

        if (n <= BlockLength)
        {
            double r0 = values[0], r1 = values[1], r2 = values[2], r3 = values[3];
            double r4 = values[4], r5 = values[5], r6 = values[6], r7 = values[7];
            var i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                r0 += values[i];
                r1 += values[i + 1];
                r2 += values[i + 2];
                r3 += values[i + 3];
                r4 += values[i + 4];
                r5 += values[i + 5];
                r6 += values[i + 6];
                r7 += values[i + 7];
            }

            var sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++)
            {
                sum += values[i];
            }

            return sum;
        }

        var half = n / 2;
        half -= half % 8;
        return Pairwise(values[..half]) + Pairwise(values[half..]);
    }
}
