namespace MlOps.Learning.Statistics;

/// <summary>Argument checks shared by the drift statistics; each message names the problem and the first offending index.</summary>
internal static class StatisticsInputs
{
    public static void RequireValues(int length, string name)
    {
        if (length == 0)
        {
            throw new ArgumentException($"{name} is empty; the test needs at least one value.", name);
        }
    }

    public static void RequireFinite(ReadOnlySpan<double> values, string name)
    {
        RequireValues(values.Length, name);
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException($"{name}[{i}] is {values[i]}; values must be finite.", name);
            }
        }
    }

    public static void RequireSameLength(int firstLength, string firstName, int secondLength, string secondName)
    {
        if (firstLength != secondLength)
        {
            throw new ArgumentException(
                $"{firstName} has {firstLength} bins but {secondName} has {secondLength}; they must have the same length.",
                secondName);
        }
    }

    /// <summary>Counts or frequencies: finite, not negative, and not all zero. Returns their sum.</summary>
    public static double RequireCounts(ReadOnlySpan<double> counts, string name)
    {
        RequireValues(counts.Length, name);
        for (var i = 0; i < counts.Length; i++)
        {
            // Written so NaN fails too.
            if (!(counts[i] >= 0 && double.IsFinite(counts[i])))
            {
                throw new ArgumentException($"{name}[{i}] is {counts[i]}; counts must be finite and not negative.", name);
            }
        }

        var total = System.Numerics.Tensors.TensorPrimitives.Sum(counts);
        if (total == 0)
        {
            throw new ArgumentException($"{name} holds only zeros; at least one count must be positive.", name);
        }

        return total;
    }
}
