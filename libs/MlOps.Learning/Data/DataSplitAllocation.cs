using System.Diagnostics;

namespace MlOps.Learning.Data;

/// <summary>
/// How many rows of each class go to each part of a stratified split: a two-way table whose class totals and part
/// totals are exact and whose every cell is its share <c>rows(class) × rows(part) / rows</c> rounded down or up.
/// Such a rounding always exists (the unrounded shares meet both sets of totals and transport problems have integral
/// solutions), but rounding class by class or part by part does not always find one, hence a flow: a greedy pass, then
/// augmenting paths for what it could not place.
/// </summary>
internal static class DataSplitAllocation
{
    private const int Root = -2;
    private const int Unvisited = -1;

    /// <summary>Counts indexed <c>[class * parts + part]</c>.</summary>
    public static int[] Allocate(ReadOnlySpan<int> classCounts, ReadOnlySpan<int> partTotals)
    {
        var classes = classCounts.Length;
        var parts = partTotals.Length;
        long rows = 0;
        foreach (var count in classCounts)
        {
            rows += count;
        }

        var counts = new int[classes * parts];
        var remainders = new long[classes * parts];
        var classLeft = new int[classes];
        var partLeft = partTotals.ToArray();
        for (var c = 0; c < classes; c++)
        {
            classLeft[c] = classCounts[c];
            for (var p = 0; p < parts; p++)
            {
                var share = (long)classCounts[c] * partTotals[p];
                var cell = (c * parts) + p;
                counts[cell] = (int)(share / rows);
                remainders[cell] = share % rows;
                classLeft[c] -= counts[cell];
                partLeft[p] -= counts[cell];
            }
        }

        var roundedUp = new bool[classes * parts];
        RoundUpGreedily(classCounts, parts, counts, remainders, roundedUp, classLeft, partLeft);
        while (Array.Exists(classLeft, left => left > 0))
        {
            Augment(parts, counts, remainders, roundedUp, classLeft, partLeft);
        }

        return counts;
    }

    /// <summary>
    /// Rounds up first the cells of classes of three rows or more that would otherwise be absent from a part, then the
    /// cells with the largest remainders.
    /// </summary>
    private static void RoundUpGreedily(
        ReadOnlySpan<int> classCounts, int parts, int[] counts, long[] remainders, bool[] roundedUp, int[] classLeft, int[] partLeft)
    {
        var cells = new List<int>();
        var absent = new bool[counts.Length];
        for (var cell = 0; cell < counts.Length; cell++)
        {
            if (remainders[cell] > 0)
            {
                cells.Add(cell);
                absent[cell] = counts[cell] == 0 && classCounts[cell / parts] >= 3;
            }
        }

        cells.Sort((a, b) => absent[a] != absent[b] ? absent[b].CompareTo(absent[a])
            : remainders[a] != remainders[b] ? remainders[b].CompareTo(remainders[a])
            : a.CompareTo(b));
        foreach (var cell in cells)
        {
            var (c, p) = Math.DivRem(cell, parts);
            if (classLeft[c] > 0 && partLeft[p] > 0)
            {
                roundedUp[cell] = true;
                counts[cell]++;
                classLeft[c]--;
                partLeft[p]--;
            }
        }
    }

    /// <summary>
    /// One breadth-first augmenting path from a class with rows left to a part with room: class → part rounds a cell
    /// up, part → class rounds that class's cell in the part back down, so the class must place its row elsewhere.
    /// </summary>
    private static void Augment(int parts, int[] counts, long[] remainders, bool[] roundedUp, int[] classLeft, int[] partLeft)
    {
        var classes = classLeft.Length;
        var reachedClassFrom = new int[classes];
        var reachedPartFrom = new int[parts];
        Array.Fill(reachedPartFrom, Unvisited);
        var queue = new Queue<int>();
        for (var c = 0; c < classes; c++)
        {
            reachedClassFrom[c] = classLeft[c] > 0 ? Root : Unvisited;
            if (classLeft[c] > 0)
            {
                queue.Enqueue(c);
            }
        }

        while (queue.TryDequeue(out var c))
        {
            for (var p = 0; p < parts; p++)
            {
                var cell = (c * parts) + p;
                if (remainders[cell] == 0 || roundedUp[cell] || reachedPartFrom[p] != Unvisited)
                {
                    continue;
                }

                reachedPartFrom[p] = c;
                if (partLeft[p] > 0)
                {
                    Apply(p, parts, counts, roundedUp, reachedClassFrom, reachedPartFrom, classLeft);
                    partLeft[p]--;
                    return;
                }

                for (var other = 0; other < classes; other++)
                {
                    if (roundedUp[(other * parts) + p] && reachedClassFrom[other] == Unvisited)
                    {
                        reachedClassFrom[other] = p;
                        queue.Enqueue(other);
                    }
                }
            }
        }

        throw new UnreachableException("Stratified split: no rounding meets the class and part totals.");
    }

    private static void Apply(
        int part, int parts, int[] counts, bool[] roundedUp, int[] reachedClassFrom, int[] reachedPartFrom, int[] classLeft)
    {
        var p = part;
        while (true)
        {
            var c = reachedPartFrom[p];
            roundedUp[(c * parts) + p] = true;
            counts[(c * parts) + p]++;
            var from = reachedClassFrom[c];
            if (from == Root)
            {
                classLeft[c]--;
                return;
            }

            roundedUp[(c * parts) + from] = false;
            counts[(c * parts) + from]--;
            p = from;
        }
    }
}
