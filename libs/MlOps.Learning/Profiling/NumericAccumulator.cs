using MlOps.Contracts.Datasets;
using MlOps.Learning.Data;

namespace MlOps.Learning.Profiling;

/// <summary>
/// A numeric summary gathered value by value in bounded memory: extremes, Welford's moments and a seeded reservoir
/// sample, from which the quantiles and the histogram are drawn at the end (exact while every value fits the sample).
/// </summary>
internal sealed class NumericAccumulator(ProfileOptions options, DataSplitRandom random)
{
    private readonly List<double> _sample = [];
    private long _count;
    private bool _wholeNumbers = true;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;
    private double _mean;
    private double _squaredDeviations;

    public long Count => _count;

    public void Add(double value)
    {
        _count++;
        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
        _wholeNumbers &= value == Math.Floor(value);

        // Welford's update: stable for long columns of large numbers.
        var delta = value - _mean;
        _mean += delta / _count;
        _squaredDeviations += delta * (value - _mean);

        // Reservoir sampling (algorithm R): after n values, each is in the sample with probability size/n.
        if (_sample.Count < options.SampleSize)
        {
            _sample.Add(value);
        }
        else
        {
            var slot = (long)(random.NextUInt64() % (ulong)_count);
            if (slot < options.SampleSize)
            {
                _sample[(int)slot] = value;
            }
        }
    }

    /// <summary>Forgets every value (a column found not to be numeric after all).</summary>
    public void Clear()
    {
        _sample.Clear();
        _sample.TrimExcess();
    }

    /// <summary>The summary of the values added; at least one must have been.</summary>
    public NumericSummary Build()
    {
        var sorted = _sample.ToArray();
        Array.Sort(sorted);
        var fromSample = _count > sorted.Length;
        var scale = (double)_count / sorted.Length;
        return new NumericSummary(
            _min,
            _max,
            _mean,
            Math.Sqrt(_squaredDeviations / _count),
            new Quantiles(
                Quantile(sorted, 0.01), Quantile(sorted, 0.05), Quantile(sorted, 0.25), Quantile(sorted, 0.50),
                Quantile(sorted, 0.75), Quantile(sorted, 0.95), Quantile(sorted, 0.99)),
            Histogram(sorted, fromSample ? scale : 1.0),
            fromSample,
            _wholeNumbers);
    }

    /// <summary>numpy's default quantile: linear interpolation between the two nearest ranks.</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    /// <summary>
    /// numpy's <c>histogram</c> with equal-width bins between min and max (a constant column gets [v - 0.5, v + 0.5]),
    /// including its rule for values that floating-point division puts in a neighbouring bin.
    /// </summary>
    private Histogram Histogram(double[] sorted, double scale)
    {
        var bins = options.HistogramBins;
        var (first, last) = _min < _max ? (_min, _max) : (_min - 0.5, _max + 0.5);
        var edges = new double[bins + 1];
        var step = (last - first) / bins;
        for (var i = 0; i <= bins; i++)
        {
            edges[i] = first + (i * step);
        }

        edges[bins] = last;
        var counts = new long[bins];
        var norm = bins / (last - first);
        foreach (var value in sorted)
        {
            var index = (int)((value - first) * norm);
            if (index == bins)
            {
                index--;
            }

            if (value < edges[index])
            {
                index--;
            }
            else if (value >= edges[index + 1] && index != bins - 1)
            {
                index++;
            }

            counts[index]++;
        }

        if (scale != 1.0)
        {
            for (var i = 0; i < bins; i++)
            {
                counts[i] = (long)Math.Round(counts[i] * scale);
            }
        }

        return new Histogram(edges, counts);
    }
}
