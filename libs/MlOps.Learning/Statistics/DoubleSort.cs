using System.Buffers;
using System.Runtime.CompilerServices;

namespace MlOps.Learning.Statistics;

/// <summary>
/// Sorts finite doubles ascending. Past <see cref="RadixThreshold"/> values it is a least-significant-digit radix sort
/// on the doubles' bits mapped to order-preserving unsigned keys (negative numbers' bits inverted, positive numbers'
/// sign bit set), 11 bits a pass, a pass skipped when every key shares its digit: linear time, where a comparison sort
/// of a drift check's 1,000,000 values of a feature spent most of the check's computing. Smaller inputs use
/// <see cref="MemoryExtensions.Sort{T}(Span{T})"/>. <c>-0.0</c> sorts before <c>0.0</c>; NaN is not expected.
/// </summary>
internal static class DoubleSort
{
    public const int RadixThreshold = 4096;

    private const int DigitBits = 11;
    private const int Buckets = 1 << DigitBits;
    private const int Passes = (64 + DigitBits - 1) / DigitBits;

    public static void Sort(Span<double> values)
    {
        if (values.Length < RadixThreshold)
        {
            values.Sort();
            return;
        }

        var keysArray = ArrayPool<ulong>.Shared.Rent(values.Length);
        var scratchArray = ArrayPool<ulong>.Shared.Rent(values.Length);
        var countsArray = ArrayPool<int>.Shared.Rent(Passes * Buckets);
        try
        {
            var keys = keysArray.AsSpan(0, values.Length);
            var scratch = scratchArray.AsSpan(0, values.Length);
            var counts = countsArray.AsSpan(0, Passes * Buckets);
            counts.Clear();

            // One read of the input fills every pass's histogram.
            for (var i = 0; i < values.Length; i++)
            {
                var key = ToKey(values[i]);
                keys[i] = key;
                for (var pass = 0; pass < Passes; pass++)
                {
                    counts[(pass * Buckets) + (int)((key >> (pass * DigitBits)) & (Buckets - 1))]++;
                }
            }

            for (var pass = 0; pass < Passes; pass++)
            {
                var histogram = counts.Slice(pass * Buckets, Buckets);
                if (histogram.Contains(values.Length))
                {
                    continue; // every key has the same digit here: the order stands
                }

                var offset = 0;
                for (var b = 0; b < Buckets; b++)
                {
                    var count = histogram[b];
                    histogram[b] = offset;
                    offset += count;
                }

                var shift = pass * DigitBits;
                foreach (var key in keys)
                {
                    scratch[histogram[(int)((key >> shift) & (Buckets - 1))]++] = key;
                }

                var swap = keys;
                keys = scratch;
                scratch = swap;
            }

            for (var i = 0; i < values.Length; i++)
            {
                values[i] = FromKey(keys[i]);
            }
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(keysArray);
            ArrayPool<ulong>.Shared.Return(scratchArray);
            ArrayPool<int>.Shared.Return(countsArray);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ToKey(double value)
    {
        var bits = BitConverter.DoubleToUInt64Bits(value);
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double FromKey(ulong key) =>
        BitConverter.UInt64BitsToDouble((key & 0x8000_0000_0000_0000UL) != 0 ? key & 0x7FFF_FFFF_FFFF_FFFFUL : ~key);
}
