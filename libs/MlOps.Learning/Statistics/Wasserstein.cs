using System.Buffers;
using System.Numerics.Tensors;

namespace MlOps.Learning.Statistics;

/// <summary>
/// The 1-D Wasserstein (earth mover's) distance between two samples, as SciPy 1.10.1's
/// <c>scipy.stats.wasserstein_distance(u, v)</c> (<c>_cdf_distance</c> with p = 1): the integral of |U(x) − V(x)| over
/// the pooled sorted values, U and V being the empirical distribution functions. It needs the raw values: the monitor
/// keeps a sample of the training data for it.
/// </summary>
public static class Wasserstein
{
    /// <summary>The floor on the reference's standard deviation in <see cref="Normalized"/>, as Evidently's.</summary>
    public const double MinimumScale = 0.001;

    /// <summary>The Wasserstein distance between two samples.</summary>
    /// <exception cref="ArgumentException">A sample is empty or holds a value that is not finite.</exception>
    public static double Distance(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        using var sorted = new SortedSamples(reference, current);
        var u = sorted.Reference;
        var v = sorted.Current;

        // Walk the pooled values in order; after each, i and j count the values of u and v at or below it, which is
        // searchsorted(…, 'right') wherever the next pooled value is larger (a tie adds a zero-width step).
        double nu = u.Length, nv = v.Length;
        int i = 0, j = 0;
        var previous = Math.Min(u[0], v[0]);
        var total = 0.0;
        while (i < u.Length || j < v.Length)
        {
            var next = j == v.Length || (i < u.Length && u[i] <= v[j]) ? u[i] : v[j];
            total += Math.Abs((i / nu) - (j / nv)) * (next - previous);
            if (j == v.Length || (i < u.Length && u[i] <= v[j]))
            {
                i++;
            }
            else
            {
                j++;
            }

            previous = next;
        }

        return total;
    }

    /// <summary>
    /// Evidently's <c>wasserstein</c> stat test: the distance divided by the reference's population standard deviation
    /// (numpy's <c>np.std</c>, ddof = 0), or by <see cref="MinimumScale"/> when that is smaller (a near-constant reference).
    /// </summary>
    /// <exception cref="ArgumentException">A sample is empty or holds a value that is not finite.</exception>
    public static double Normalized(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var distance = Distance(reference, current);
        return distance / Math.Max(PopulationStandardDeviation(reference), MinimumScale);
    }

    private static double PopulationStandardDeviation(ReadOnlySpan<double> values)
    {
        var mean = TensorPrimitives.Sum(values) / values.Length;
        var rented = ArrayPool<double>.Shared.Rent(values.Length);
        try
        {
            var deviations = rented.AsSpan(0, values.Length);
            TensorPrimitives.Subtract(values, mean, deviations);
            return Math.Sqrt(TensorPrimitives.SumOfSquares(deviations) / values.Length);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }
}
