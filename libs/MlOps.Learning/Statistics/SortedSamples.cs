using System.Buffers;

namespace MlOps.Learning.Statistics;

/// <summary>
/// Sorted copies of a reference and a current sample in arrays rented from the shared pool, checked first (not empty,
/// every value finite). Dispose returns the arrays; the spans must not be used after that.
/// </summary>
internal readonly struct SortedSamples : IDisposable
{
    private readonly double[] _reference;
    private readonly double[] _current;
    private readonly int _referenceLength;
    private readonly int _currentLength;

    public SortedSamples(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        StatisticsInputs.RequireFinite(reference, nameof(reference));
        StatisticsInputs.RequireFinite(current, nameof(current));
        _reference = Sorted(reference);
        _current = Sorted(current);
        _referenceLength = reference.Length;
        _currentLength = current.Length;
    }

    public ReadOnlySpan<double> Reference => _reference.AsSpan(0, _referenceLength);

    public ReadOnlySpan<double> Current => _current.AsSpan(0, _currentLength);

    public void Dispose()
    {
        ArrayPool<double>.Shared.Return(_reference);
        ArrayPool<double>.Shared.Return(_current);
    }

    private static double[] Sorted(ReadOnlySpan<double> values)
    {
        var array = ArrayPool<double>.Shared.Rent(values.Length);
        var copy = array.AsSpan(0, values.Length);
        values.CopyTo(copy);
        DoubleSort.Sort(copy);
        return array;
    }
}
