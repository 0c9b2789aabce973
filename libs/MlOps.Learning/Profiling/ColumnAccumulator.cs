using System.Text;
using MlOps.Contracts.Datasets;
using MlOps.Learning.Data;

namespace MlOps.Learning.Profiling;

/// <summary>
/// Everything a column's profile needs, gathered value by value in bounded memory: counts, numeric moments and a
/// seeded reservoir sample while every value is a number, value counts up to a limit, a distinct-count sketch, and
/// text lengths. The type is decided at the end by the same rules as <see cref="CsvTableReader"/>; in a dataset archive
/// (<paramref name="imagePaths"/>), a column whose every value names an image file is an image column.
/// </summary>
internal sealed class ColumnAccumulator(
    string name, ProfileOptions options, TypeInferenceOptions inference, DataSplitRandom random, bool imagePaths = false)
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly HyperLogLog _distinct = new();
    private readonly NumericAccumulator _numbers = new(options, random);
    private long _present;
    private long _missing;
    private bool _allNumbers = true;
    private bool _allBooleans = true;
    private bool _allImagePaths = imagePaths;
    private bool _countsOverflowed;
    private long _trueCount;
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
                _numbers.Add(number);
            }
            else
            {
                _allNumbers = false;
                _numbers.Clear();
            }
        }

        _allImagePaths = _allImagePaths && ImageFiles.HasImageExtension(chars);

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
            type == ColumnType.Numeric && _present > 0 ? _numbers.Build() : null,
            type == ColumnType.Categorical ? TopValues() : null,
            type == ColumnType.Boolean ? new BooleanSummary(_trueCount, _present - _trueCount) : null,
            type == ColumnType.Text ? new TextSummary(_minLength, _maxLength, (double)_totalLength / _present, (double)_totalWords / _present) : null);
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

        if (_allImagePaths)
        {
            return ColumnType.Image;
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

    private List<CategoryCount> TopValues() =>
        _counts
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(options.TopValues)
            .Select(pair => new CategoryCount(pair.Key, pair.Value))
            .ToList();
}
