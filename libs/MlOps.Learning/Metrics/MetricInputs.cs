namespace MlOps.Learning.Metrics;

/// <summary>Argument checks shared by the metrics; each message names the problem and the first offending index.</summary>
internal static class MetricInputs
{
    public static void RequireRows(int length, string name)
    {
        if (length == 0)
        {
            throw new ArgumentException($"Metrics need at least one row; {name} is empty.", name);
        }
    }

    public static void RequireSameLength(int actualLength, int otherLength, string otherName)
    {
        if (otherLength != actualLength)
        {
            throw new ArgumentException(
                $"actual has {actualLength} rows but {otherName} has {otherLength}; they must have the same length.",
                otherName);
        }
    }

    public static void RequireLabels(ReadOnlySpan<int> actual, int classCount)
    {
        for (var i = 0; i < actual.Length; i++)
        {
            if ((uint)actual[i] >= (uint)classCount)
            {
                throw new ArgumentException(
                    $"actual[{i}] is {actual[i]}; labels must be in 0..{classCount - 1}.", nameof(actual));
            }
        }
    }

    /// <param name="values">Probabilities, in rows of <paramref name="rowLength"/>.</param>
    /// <param name="name">The parameter's name, for the message.</param>
    /// <param name="rowLength">With more than one class per row, the message also names the row and the class.</param>
    public static void RequireProbabilities(ReadOnlySpan<double> values, string name, int rowLength = 1)
    {
        for (var i = 0; i < values.Length; i++)
        {
            // Written so NaN fails too.
            if (!(values[i] >= 0 && values[i] <= 1))
            {
                var where = rowLength > 1 ? $" (row {i / rowLength}, class {i % rowLength})" : "";
                throw new ArgumentException(
                    $"{name}[{i}]{where} is {values[i]}; probabilities must be finite and within [0, 1].", name);
            }
        }
    }

    public static void RequireFinite(ReadOnlySpan<double> values, string name)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException($"{name}[{i}] is {values[i]}; values must be finite.", name);
            }
        }
    }
}
