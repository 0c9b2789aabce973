namespace MlOps.Learning.Statistics;

/// <summary>
/// The population stability index, PSI = Σ (ref% − cur%) · ln(ref% / cur%), as Evidently's <c>psi</c> stat test
/// computes it (<c>evidently.calculations.stattests.psi</c> over <c>utils.get_binned_data</c>). Empty bins: in each
/// sample separately, a share of 0 is replaced by 0.0001, or by (smallest non-zero share) / 10⁶ when that smallest share
/// is itself 0.0001 or less, so the logarithm stays finite. A drift check can keep the training counts and call
/// <see cref="FromCounts"/>; <see cref="Numeric"/> bins raw samples the way Evidently does.
/// </summary>
public static class PopulationStability
{
    private const double EmptyShare = 0.0001;

    // get_binned_data bins a numerical feature only when its reference sample has more than this many distinct values.
    private const int MaxDistinctForValueCounts = 20;

    /// <summary>
    /// PSI of two count (or frequency) vectors over the same bins; shares are each count over its vector's total.
    /// For categories, pass only those seen in at least one sample (Evidently uses the union of the values seen): a
    /// bin empty in both samples still adds a small term when the two samples' empty-bin shares differ.
    /// </summary>
    /// <exception cref="ArgumentException">A vector is empty or all zero, holds a negative or non-finite value, or the lengths differ.</exception>
    public static double FromCounts(ReadOnlySpan<double> referenceCounts, ReadOnlySpan<double> currentCounts)
    {
        var referenceTotal = StatisticsInputs.RequireCounts(referenceCounts, nameof(referenceCounts));
        var currentTotal = StatisticsInputs.RequireCounts(currentCounts, nameof(currentCounts));
        StatisticsInputs.RequireSameLength(referenceCounts.Length, nameof(referenceCounts), currentCounts.Length, nameof(currentCounts));
        return FromShares(referenceCounts, referenceTotal, currentCounts, currentTotal);
    }

    /// <summary>
    /// PSI of two numeric samples binned as Evidently's <c>get_binned_data</c> bins a numerical feature: when the
    /// reference has more than 20 distinct values, <c>np.histogram_bin_edges</c> of the pooled samples with Sturges'
    /// rule (⌈ptp / (ptp / (log2 n + 1))⌉ equal-width bins between the pooled minimum and maximum, n the pooled size; the
    /// last bin closed); otherwise one bin per distinct value seen in either sample. Shares are counts over each
    /// sample's size.
    /// </summary>
    /// <exception cref="ArgumentException">A sample is empty or holds a value that is not finite.</exception>
    public static double Numeric(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        using var sorted = new SortedSamples(reference, current);
        var (referenceCounts, currentCounts) = CountDistinct(sorted.Reference) > MaxDistinctForValueCounts
            ? SturgesHistograms(sorted.Reference, sorted.Current)
            : ValueCounts(sorted.Reference, sorted.Current);
        return FromShares(referenceCounts, reference.Length, currentCounts, current.Length);
    }

    private static double FromShares(ReadOnlySpan<double> referenceCounts, double referenceTotal, ReadOnlySpan<double> currentCounts, double currentTotal)
    {
        var referenceEmpty = EmptyShareFor(referenceCounts, referenceTotal);
        var currentEmpty = EmptyShareFor(currentCounts, currentTotal);
        var psi = 0.0;
        for (var i = 0; i < referenceCounts.Length; i++)
        {
            var r = referenceCounts[i] == 0 ? referenceEmpty : referenceCounts[i] / referenceTotal;
            var c = currentCounts[i] == 0 ? currentEmpty : currentCounts[i] / currentTotal;
            psi += (r - c) * Math.Log(r / c);
        }

        return psi;
    }

    // get_binned_data's feel_zeroes: 0.0001, or the smallest non-zero share / 10⁶ when that is 0.0001 or less.
    private static double EmptyShareFor(ReadOnlySpan<double> counts, double total)
    {
        var smallest = double.PositiveInfinity;
        foreach (var count in counts)
        {
            if (count > 0)
            {
                smallest = Math.Min(smallest, count / total);
            }
        }

        return smallest <= EmptyShare ? smallest / 1e6 : EmptyShare;
    }

    private static int CountDistinct(ReadOnlySpan<double> sorted)
    {
        var distinct = 1;
        for (var i = 1; i < sorted.Length; i++)
        {
            distinct += sorted[i] != sorted[i - 1] ? 1 : 0;
        }

        return distinct;
    }

    // np.histogram_bin_edges(concat(reference, current), bins="sturges") and np.histogram of each sample on those edges.
    private static (double[] Reference, double[] Current) SturgesHistograms(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var first = Math.Min(reference[0], current[0]);
        var last = Math.Max(reference[^1], current[^1]);
        var size = reference.Length + current.Length;
        var width = (last - first) / (Math.Log2(size) + 1.0);
        var binCount = width > 0 ? (int)Math.Ceiling((last - first) / width) : 1;
        if (first == last)
        {
            first -= 0.5;
            last += 0.5;
        }

        // np.linspace(first, last, binCount + 1): i · step + first, the last edge exactly `last`.
        var edges = new double[binCount + 1];
        var step = (last - first) / binCount;
        for (var i = 0; i < binCount; i++)
        {
            edges[i] = (i * step) + first;
        }

        edges[binCount] = last;
        return (Histogram(reference, edges), Histogram(current, edges));
    }

    // np.histogram with explicit edges: bin i is [e_i, e_i+1), the last bin also takes e_last; values outside are dropped.
    private static double[] Histogram(ReadOnlySpan<double> sorted, double[] edges)
    {
        var counts = new double[edges.Length - 1];
        var below = LowerBound(sorted, edges[0]);
        for (var i = 0; i < counts.Length; i++)
        {
            var upTo = i == counts.Length - 1 ? UpperBound(sorted, edges[i + 1]) : LowerBound(sorted, edges[i + 1]);
            counts[i] = upTo - below;
            below = upTo;
        }

        return counts;
    }

    // get_binned_data's value counts over the union of the values either sample holds.
    private static (double[] Reference, double[] Current) ValueCounts(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var referenceCounts = new List<double>();
        var currentCounts = new List<double>();
        int i = 0, j = 0;
        while (i < reference.Length || j < current.Length)
        {
            var value = j == current.Length || (i < reference.Length && reference[i] <= current[j]) ? reference[i] : current[j];
            var start = i;
            while (i < reference.Length && reference[i] == value)
            {
                i++;
            }

            var currentStart = j;
            while (j < current.Length && current[j] == value)
            {
                j++;
            }

            referenceCounts.Add(i - start);
            currentCounts.Add(j - currentStart);
        }

        return (referenceCounts.ToArray(), currentCounts.ToArray());
    }

    private static int LowerBound(ReadOnlySpan<double> sorted, double value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (sorted[middle] < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private static int UpperBound(ReadOnlySpan<double> sorted, double value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (sorted[middle] <= value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
