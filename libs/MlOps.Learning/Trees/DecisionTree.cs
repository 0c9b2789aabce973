namespace MlOps.Learning.Trees;

/// <summary>
/// A trained tree as flat arrays: internal node <c>i</c> sends a row left when its value of <c>Features[i]</c> is at
/// most <c>Thresholds[i]</c>, or for a categorical node when that value is a code in <c>LeftCategories[i]</c> (a
/// missing value goes the way <c>MissingLeft[i]</c> says), else right; a child index below zero is the leaf
/// <c>~index</c>. Scoring walks the arrays and allocates nothing.
/// </summary>
public sealed class DecisionTree
{
    public DecisionTree(
        int[] features, double[] thresholds, bool[] missingLeft, int[] left, int[] right, double[] leafValues, double[] gains, BinSet[]? leftCategories = null)
    {
        var nodes = features.Length;
        if (thresholds.Length != nodes || missingLeft.Length != nodes || left.Length != nodes || right.Length != nodes
            || gains.Length != nodes || leafValues.Length != nodes + 1 || (leftCategories is not null && leftCategories.Length != nodes))
        {
            throw new ArgumentException($"A tree of {nodes} internal nodes needs {nodes} of each node array and {nodes + 1} leaf values.");
        }

        foreach (var child in left.Concat(right))
        {
            if (child >= nodes || ~child > nodes)
            {
                throw new ArgumentException($"A child index {child} points outside the tree's {nodes} nodes and {nodes + 1} leaves.");
            }
        }

        Features = features;
        Thresholds = thresholds;
        MissingLeft = missingLeft;
        Left = left;
        Right = right;
        LeafValues = leafValues;
        Gains = gains;
        LeftCategories = leftCategories is not null && leftCategories.Any(set => set != default) ? leftCategories : null;
    }

    public int[] Features { get; }

    public double[] Thresholds { get; }

    public bool[] MissingLeft { get; }

    public int[] Left { get; }

    public int[] Right { get; }

    public double[] LeafValues { get; }

    /// <summary>What each internal node's split gained in training (feature importance adds them up).</summary>
    public double[] Gains { get; }

    /// <summary>Per node, the category codes that go left (empty for a numeric node); null when no node is categorical.</summary>
    public BinSet[]? LeftCategories { get; }

    public int LeafCount => LeafValues.Length;

    /// <summary>The leaf a row (its features' raw values, NaN where missing) falls into.</summary>
    public int LeafOf(ReadOnlySpan<double> row)
    {
        if (Features.Length == 0)
        {
            return 0;
        }

        var categories = LeftCategories;
        var node = 0;
        while (true)
        {
            var value = row[Features[node]];
            bool goesLeft;
            if (double.IsNaN(value))
            {
                goesLeft = MissingLeft[node];
            }
            else if (categories is not null && categories[node] != default)
            {
                // A code the tree never saw (or not a code at all) is not in the set: it goes right.
                goesLeft = value >= 0 && value < 256 && value == Math.Floor(value) && categories[node].Contains((int)value);
            }
            else
            {
                goesLeft = value <= Thresholds[node];
            }

            var next = goesLeft ? Left[node] : Right[node];
            if (next < 0)
            {
                return ~next;
            }

            node = next;
        }
    }

    public double Predict(ReadOnlySpan<double> row) => LeafValues[LeafOf(row)];
}
