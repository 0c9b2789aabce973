namespace MlOps.Learning.Data;

/// <summary>Seeded samples of a numeric column's values, for what needs values rather than a histogram (KS, Wasserstein).</summary>
public static class ValueSample
{
    /// <summary>
    /// The column's present values, all of them in row order when there are at most <paramref name="size"/>, else
    /// <paramref name="size"/> of them drawn without replacement (a partial Fisher–Yates shuffle seeded by
    /// <paramref name="seed"/>, so a seed always names the same sample), in the order drawn.
    /// </summary>
    public static double[] Draw(NumericColumn column, int size, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var present = new double[column.Length - column.MissingCount()];
        var next = 0;
        for (var row = 0; row < column.Length; row++)
        {
            if (!column.Missing[row])
            {
                present[next++] = column.Values[row];
            }
        }

        return Draw(present, size, seed);
    }

    /// <summary>As <see cref="Draw(NumericColumn, int, long)"/> for values that are all present; the array is reordered.</summary>
    public static double[] Draw(double[] values, int size, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (values.Length <= size)
        {
            return values;
        }

        var random = new DataSplitRandom(seed);
        for (var i = 0; i < size; i++)
        {
            var j = i + random.NextInt(values.Length - i);
            (values[i], values[j]) = (values[j], values[i]);
        }

        return values[..size];
    }
}
