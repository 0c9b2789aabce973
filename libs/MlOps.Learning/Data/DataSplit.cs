namespace MlOps.Learning.Data;

/// <summary>
/// Deterministic train/validation/test splits of row indices. Part sizes are <c>round(fraction × rows)</c> (halves away
/// from zero) for train and validation, and the rest for test. A seed gives the same split on every machine and .NET
/// version (<see cref="DataSplitRandom"/>).
/// </summary>
public static class DataSplit
{
    private const int Parts = 3;

    /// <summary>
    /// Splits <paramref name="rowCount"/> rows. With <paramref name="stratifyLabels"/> (one class code per row, any
    /// integers), each class is shuffled and divided in the parts' proportions: every class gets its share of every part
    /// rounded down or up, the part sizes stay exact, and a class of three rows or more is given a row in each part when
    /// the rounding allows it.
    /// </summary>
    public static DataSplitResult Split(
        int rowCount, double trainFraction, double validationFraction, int seed, ReadOnlySpan<int> stratifyLabels = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        EnsureFraction(trainFraction, nameof(trainFraction));
        EnsureFraction(validationFraction, nameof(validationFraction));
        if (trainFraction + validationFraction > 1 + 1e-9)
        {
            throw new ArgumentException(
                $"The train ({trainFraction}) and validation ({validationFraction}) fractions add up to more than 1.",
                nameof(validationFraction));
        }

        if (!stratifyLabels.IsEmpty && stratifyLabels.Length != rowCount)
        {
            throw new ArgumentException(
                $"There are {stratifyLabels.Length} labels for {rowCount} rows.", nameof(stratifyLabels));
        }

        var train = (int)Math.Min(rowCount, Math.Round(trainFraction * rowCount, MidpointRounding.AwayFromZero));
        var validation = (int)Math.Min(rowCount - train, Math.Round(validationFraction * rowCount, MidpointRounding.AwayFromZero));
        int[] totals = [train, validation, rowCount - train - validation];
        var random = new DataSplitRandom(seed);
        return stratifyLabels.IsEmpty ? Shuffled(rowCount, totals, random) : Stratified(stratifyLabels, totals, random);
    }

    private static DataSplitResult Shuffled(int rowCount, int[] totals, DataSplitRandom random)
    {
        var order = new int[rowCount];
        for (var row = 0; row < rowCount; row++)
        {
            order[row] = row;
        }

        random.Shuffle(order);
        var result = Allocate(totals);
        order.AsSpan(0, totals[0]).CopyTo(result.Train);
        order.AsSpan(totals[0], totals[1]).CopyTo(result.Validation);
        order.AsSpan(totals[0] + totals[1]).CopyTo(result.Test);
        return Sorted(result);
    }

    private static DataSplitResult Stratified(ReadOnlySpan<int> labels, int[] totals, DataSplitRandom random)
    {
        // Classes in ascending label order, so the split does not depend on which class happens to come first.
        var distinct = new SortedSet<int>();
        foreach (var label in labels)
        {
            distinct.Add(label);
        }

        var classOf = new Dictionary<int, int>(distinct.Count);
        foreach (var label in distinct)
        {
            classOf.Add(label, classOf.Count);
        }

        // Rows grouped by class (a counting sort, so ascending within each class before shuffling).
        var classCounts = new int[distinct.Count];
        var rowClasses = new int[labels.Length];
        for (var row = 0; row < labels.Length; row++)
        {
            rowClasses[row] = classOf[labels[row]];
            classCounts[rowClasses[row]]++;
        }

        var starts = new int[classCounts.Length + 1];
        for (var c = 0; c < classCounts.Length; c++)
        {
            starts[c + 1] = starts[c] + classCounts[c];
        }

        var grouped = new int[labels.Length];
        var next = starts[..^1];
        for (var row = 0; row < labels.Length; row++)
        {
            grouped[next[rowClasses[row]]++] = row;
        }

        var counts = DataSplitAllocation.Allocate(classCounts, totals);
        var result = Allocate(totals);
        int[][] destinations = [result.Train, result.Validation, result.Test];
        var filled = new int[Parts];
        for (var c = 0; c < classCounts.Length; c++)
        {
            var rows = grouped.AsSpan(starts[c], classCounts[c]);
            random.Shuffle(rows);
            for (var p = 0; p < Parts; p++)
            {
                var count = counts[(c * Parts) + p];
                rows[..count].CopyTo(destinations[p].AsSpan(filled[p]));
                rows = rows[count..];
                filled[p] += count;
            }
        }

        return Sorted(result);
    }

    private static DataSplitResult Allocate(int[] totals) => new(new int[totals[0]], new int[totals[1]], new int[totals[2]]);

    private static DataSplitResult Sorted(DataSplitResult result)
    {
        Array.Sort(result.Train);
        Array.Sort(result.Validation);
        Array.Sort(result.Test);
        return result;
    }

    private static void EnsureFraction(double fraction, string name)
    {
        if (!(fraction >= 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(name, fraction, "A fraction must be between 0 and 1.");
        }
    }
}
