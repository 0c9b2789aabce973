using MlOps.Learning.Data;

namespace MlOps.Learning.Training;

/// <summary>
/// The seeded share of a training set's rows held out as the validation set early stopping watches when no validation
/// set is given: the same rows for the same seed, whichever learner (ours or ML.NET's) trains.
/// </summary>
public static class EarlyStoppingHoldOut
{
    /// <summary>The share held out unless a learner is told otherwise.</summary>
    public const double DefaultFraction = 0.1;

    /// <summary>The rows kept for training and the rows held out (at least one), each ascending.</summary>
    /// <exception cref="DataException">The rows are too few to keep any after holding some out.</exception>
    public static (int[] Kept, int[] Held) Split(int rows, double fraction, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(fraction, 1);
        var heldCount = Math.Max(1, (int)(rows * fraction));
        if (heldCount >= rows)
        {
            throw new DataException($"{rows} rows are too few to hold out a validation set for early stopping.");
        }

        // A partial Fisher–Yates shuffle: the first heldCount places draw the held-out rows.
        var order = new int[rows];
        for (var row = 0; row < rows; row++)
        {
            order[row] = row;
        }

        var random = new Random(seed);
        for (var i = 0; i < heldCount; i++)
        {
            var j = random.Next(i, rows);
            (order[i], order[j]) = (order[j], order[i]);
        }

        var held = order[..heldCount];
        var kept = order[heldCount..];
        Array.Sort(held);
        Array.Sort(kept);
        return (kept, held);
    }
}
