using System.Runtime.CompilerServices;

namespace MlOps.Learning.Metrics;

/// <summary>Counts of rows by actual class (row) and predicted class (column); immutable once built.</summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    /// <param name="classCount">The number of classes, k.</param>
    /// <param name="counts">k×k counts, row-major: <c>counts[actual * k + predicted]</c>. They are copied.</param>
    public ConfusionMatrix(int classCount, ReadOnlySpan<long> counts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (counts.Length != (long)classCount * classCount)
        {
            throw new ArgumentException(
                $"A {classCount}-class confusion matrix needs {(long)classCount * classCount} counts, not {counts.Length}.",
                nameof(counts));
        }

        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] < 0)
            {
                throw new ArgumentException($"counts[{i}] is {counts[i]}; counts cannot be negative.", nameof(counts));
            }
        }

        ClassCount = classCount;
        _counts = counts.ToArray();
    }

    public int ClassCount { get; }

    /// <summary>All k×k counts, row-major (rows actual, columns predicted).</summary>
    public ReadOnlySpan<long> Counts => _counts;

    public long this[int actual, int predicted]
    {
        get
        {
            CheckLabel(actual);
            CheckLabel(predicted);
            return _counts[(actual * ClassCount) + predicted];
        }
    }

    /// <summary>Rows whose actual class is <paramref name="label"/> (its support).</summary>
    public long ActualCount(int label)
    {
        CheckLabel(label);
        var sum = 0L;
        foreach (var count in _counts.AsSpan(label * ClassCount, ClassCount))
        {
            sum += count;
        }

        return sum;
    }

    /// <summary>Rows predicted as <paramref name="label"/>.</summary>
    public long PredictedCount(int label)
    {
        CheckLabel(label);
        var sum = 0L;
        for (var i = label; i < _counts.Length; i += ClassCount)
        {
            sum += _counts[i];
        }

        return sum;
    }

    private void CheckLabel(int label, [CallerArgumentExpression(nameof(label))] string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(label, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, ClassCount, name);
    }
}
