using System.Text;
using MlOps.Contracts.Datasets;
using MlOps.Learning.Data;

namespace MlOps.Learning.Profiling;

/// <summary>
/// Everything a column's profile needs, gathered value by value in bounded memory: counts, numeric moments and a
/// seeded reservoir sample while every value is a number, value counts up to a limit, a distinct-count sketch, and
/// text lengths. The type is decided at the end by the same rules as <see cref="CsvTableReader"/>.
/// </summary>
internal sealed class ColumnAccumulator(string name, ProfileOptions options, TypeInferenceOptions inference, DataSplitRandom random)
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly HyperLogLog _distinct = new();
    private readonly List<double> _sample = [];
    private long _present;
    private long _missing;
    private bool _allNumbers = true;
    private bool _allBooleans = true;
    private bool _wholeNumbers = true;
    private bool _countsOverflowed;
    private long _trueCount;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;
    private double _mean;
    private double _squaredDeviations;
    private long _minLength = long.MaxValue;
    private long _maxLength;
    private long _totalLength;
    private long _totalWords;
    private int _maxWords;

    public void AddMissing() => _missing++;

    public void Add(ReadOnlySpan<byte> utf8, Span<char> scratch)
    {
        _present++;
        _distinct.Add(utf8);
        var chars = scratch[..Encoding.UTF8.GetChars(utf8, scratch)];

        if (_allNumbers)
        {
            if (TypeInference.TryParseNumber(utf8, out var number))
            {
                AddNumber(number);
            }
            else
            {
                _allNumbers = false;
                _sample.Clear();
            }
        }

        if (_allBooleans)
        {
            if (TypeInference.TryParseBoolean(chars, declared: false, out var flag))
            {
                _trueCount += flag ? 1 : 0;
            }
            else
            {
                _allBooleans = false;
            }
        }

        var words = TypeInference.CountWords(chars);
        _maxWords = Math.Max(_maxWords, words);
        _totalWords += words;
        _totalLength += chars.Length;
        _minLength = Math.Min(_minLength, chars.Length);
        _maxLength = Math.Max(_maxLength, chars.Length);

        if (!_countsOverflowed)
        {
            CountValue(chars);
        }
    }

    public ColumnProfile Build()
    {
        var type = DecideType();
        var distinctExact = !_countsOverflowed;
        var distinct = distinctExact ? _counts.Count : _distinct.Estimate();
        return new ColumnProfile(
            name,
            type.ToString().ToLowerInvariant(),
            _missing,
            distinct,
            !distinctExact,
            type == ColumnType.Numeric && _present > 0 ? NumericSummary() : null,
            type == ColumnType.Categorical ? TopValues() : null,
            type == ColumnType.Boolean ? new BooleanSummary(_trueCount, _present - _trueCount) : null,
            type == ColumnType.Text ? new TextSummary(_minLength, _maxLength, (double)_totalLength / _present, (double)_totalWords / _present) : null);
    }

    private void AddNumber(double value)
    {
        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
        _wholeNumbers &= value == Math.Floor(value);

        // Welford's update: stable for long columns of large numbers.
        var delta = value - _mean;
        _mean += delta / _present;
        _squaredDeviations += delta * (value - _mean);

        // Reservoir sampling (algorithm R): after n values, each is in the sample with probability size/n.
        if (_sample.Count < options.SampleSize)
        {
            _sample.Add(value);
        }
        else
        {
            var slot = (long)(random.NextUInt64() % (ulong)_present);
            if (slot < options.SampleSize)
            {
                _sample[(int)slot] = value;
            }
        }
    }

    private void CountValue(ReadOnlySpan<char> chars)
    {
        var lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(chars, out var count))
        {
            lookup[chars] = count + 1;
        }
        else if (_counts.Count < options.ExactDistinctLimit)
        {
            _counts.Add(chars.ToString(), 1);
        }
        else
        {
            _countsOverflowed = true;
            _counts.Clear();
        }
    }

    private ColumnType DecideType()
    {
        if (_present == 0 || _allNumbers)
        {
            return ColumnType.Numeric;
        }

        if (_allBooleans)
        {
            return ColumnType.Boolean;
        }

        var maxDistinct = Math.Max(inference.CategoricalMinDistinct, inference.CategoricalMaxDistinctFraction * _present);
        return !_countsOverflowed && _maxWords <= inference.CategoricalMaxWords && _counts.Count <= maxDistinct
            ? ColumnType.Categorical
            : ColumnType.Text;
    }

    private NumericSummary NumericSummary()
    {
        var sorted = _sample.ToArray();
        Array.Sort(sorted);
        var fromSample = _present > sorted.Length;
        var scale = (double)_present / sorted.Length;
        return new NumericSummary(
            _min,
            _max,
            _mean,
            Math.Sqrt(_squaredDeviations / _present),
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

    private List<CategoryCount> TopValues() =>
        _counts
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(options.TopValues)
            .Select(pair => new CategoryCount(pair.Key, pair.Value))
            .ToList();
}
