using MlOps.Learning.Statistics;

namespace MlOps.Learning.Trees;

/// <summary>
/// How a numeric feature is quantized for histogram trees: up to <see cref="MaxValueBins"/> bins of present values,
/// numbered from 1, and bin 0 for a missing value, so a feature's bins fit in a byte. Bin <c>b</c> holds the values
/// above <c>UpperBounds[b - 2]</c> up to and including <c>UpperBounds[b - 1]</c>; the last bin has no upper bound.
/// Bounds come from a seeded sample of at most 200,000 present values: with no more distinct values than bins, each
/// distinct value has a bin of its own (bounds halfway between neighbours); otherwise the bounds are the sample's
/// quantiles at equal steps of rank, halfway between the two values around each cut, and a cut that would repeat the
/// previous one is dropped (ties make fewer bins).
/// </summary>
public sealed class NumericBins
{
    public const byte MissingBin = 0;
    public const int MaxValueBins = 255;
    public const int DefaultSampleSize = 200_000;

    /// <summary>Slots of the search table: the bounds, then +∞ up to a power of two less one.</summary>
    private const int SearchSlots = 255;

    private readonly double[] _search;

    private NumericBins(double[] upperBounds)
    {
        UpperBounds = upperBounds;
        _search = new double[SearchSlots];
        _search.AsSpan().Fill(double.PositiveInfinity);
        upperBounds.CopyTo(_search, 0);
    }

    /// <summary>Ascending; one fewer than <see cref="ValueBins"/>.</summary>
    public double[] UpperBounds { get; }

    /// <summary>How many bins present values fall into (at least 1).</summary>
    public int ValueBins => UpperBounds.Length + 1;

    /// <summary>
    /// The bins of a categorical feature's codes 0 to <paramref name="codes"/> − 1: code c in bin c + 1 (bounds halfway
    /// between codes), every code its own bin whatever the sample holds.
    /// </summary>
    public static NumericBins ForCodes(int codes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(codes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(codes, MaxValueBins);
        var bounds = new double[codes - 1];
        for (var code = 0; code < bounds.Length; code++)
        {
            bounds[code] = code + 0.5;
        }

        return new NumericBins(bounds);
    }

    /// <summary>
    /// The bins of a sparse feature: zero alone in bin 1 (the first bound halfway between zero and the smallest
    /// non-zero value), then at most <paramref name="maxNonZeroBins"/> bins of the non-zero values, fitted as usual.
    /// </summary>
    public static NumericBins ForSparse(double[] nonZeroValues, int maxNonZeroBins, int seed = 0)
    {
        var nonZero = Fit(nonZeroValues, maxNonZeroBins, DefaultSampleSize, seed);
        var smallest = double.PositiveInfinity;
        foreach (var value in nonZeroValues)
        {
            smallest = Math.Min(smallest, value);
        }

        return double.IsPositiveInfinity(smallest) ? new NumericBins([]) : new NumericBins([Midpoint(0, smallest), .. nonZero.UpperBounds]);
    }

    /// <param name="values">The feature's values, <see cref="double.NaN"/> where missing.</param>
    /// <param name="maxBins">At most this many bins of present values, 1 to 255.</param>
    /// <param name="sampleSize">At most this many present values (drawn with <paramref name="seed"/>) choose the bounds.</param>
    public static NumericBins Fit(ReadOnlySpan<double> values, int maxBins = MaxValueBins, int sampleSize = DefaultSampleSize, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBins, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBins, MaxValueBins);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSize, 1);

        var sample = Sample(values, sampleSize, seed);
        if (sample.Length == 0)
        {
            return new NumericBins([]);
        }

        DoubleSort.Sort(sample);
        var distinct = 1;
        for (var i = 1; i < sample.Length; i++)
        {
            if (sample[i] != sample[i - 1])
            {
                distinct++;
            }
        }

        var bounds = new List<double>(Math.Min(distinct, maxBins));
        if (distinct <= maxBins)
        {
            for (var i = 1; i < sample.Length; i++)
            {
                if (sample[i] != sample[i - 1])
                {
                    bounds.Add(Midpoint(sample[i - 1], sample[i]));
                }
            }
        }
        else
        {
            for (var k = 1; k < maxBins; k++)
            {
                var rank = (int)((long)k * sample.Length / maxBins);
                if (rank <= 0 || sample[rank] == sample[rank - 1])
                {
                    continue; // a cut inside a run of ties would split equal values
                }

                var bound = Midpoint(sample[rank - 1], sample[rank]);
                if (bounds.Count == 0 || bound > bounds[^1])
                {
                    bounds.Add(bound);
                }
            }
        }

        return new NumericBins([.. bounds]);
    }

    /// <summary>The bin of one value: <see cref="MissingBin"/> for NaN, else 1 to <see cref="ValueBins"/>.</summary>
    public byte BinOf(double value)
    {
        if (double.IsNaN(value))
        {
            return MissingBin;
        }

        // How many bounds lie below the value, by a binary search of fixed steps over the padded table: the same
        // eight steps for every value, which the JIT turns into conditional moves rather than branches.
        var search = _search;
        var below = 0;
        for (var step = (SearchSlots + 1) / 2; step > 0; step >>= 1)
        {
            below += search[below + step - 1] < value ? step : 0;
        }

        return (byte)(1 + below);
    }

    /// <summary>Every value's bin, into <paramref name="bins"/> (as long as <paramref name="values"/>).</summary>
    public void Bin(ReadOnlySpan<double> values, Span<byte> bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins.Length, values.Length, nameof(bins));
        for (var i = 0; i < values.Length; i++)
        {
            bins[i] = BinOf(values[i]);
        }
    }

    /// <summary>The present values, or a seeded draw of <paramref name="size"/> of them without replacement.</summary>
    private static double[] Sample(ReadOnlySpan<double> values, int size, int seed)
    {
        var present = 0;
        foreach (var value in values)
        {
            if (!double.IsNaN(value))
            {
                present++;
            }
        }

        var sample = new double[Math.Min(present, size)];
        if (present <= size)
        {
            var next = 0;
            foreach (var value in values)
            {
                if (!double.IsNaN(value))
                {
                    sample[next++] = value;
                }
            }

            return sample;
        }

        // Reservoir sampling over the present values: each has the same chance, whatever the order.
        var random = new SplitMix64((ulong)seed);
        var seen = 0;
        foreach (var value in values)
        {
            if (double.IsNaN(value))
            {
                continue;
            }

            if (seen < size)
            {
                sample[seen] = value;
            }
            else if (random.Below((ulong)seen + 1) is var slot && slot < (ulong)size)
            {
                sample[slot] = value;
            }

            seen++;
        }

        return sample;
    }

    private static double Midpoint(double below, double above)
    {
        var middle = below + ((above - below) / 2);
        // Between two adjacent doubles there is no middle: the lower one is the bound, so each keeps its own bin.
        return middle < above ? middle : below;
    }

    /// <summary>
    /// A small seeded generator (SplitMix64) for the reservoir: one draw a present value, so it must be cheap; the
    /// legacy-seeded <see cref="Random"/> was a tenth of binning's time.
    /// </summary>
    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        /// <summary>A draw from 0 to <paramref name="bound"/> − 1 (Lemire's multiply-shift; its bias is negligible here).</summary>
        public ulong Below(ulong bound) => (ulong)(((UInt128)Next() * bound) >> 64);

        private ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }
    }
}
