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
        _nodes = new Node[nodes];
        for (var node = 0; node < nodes; node++)
        {
            _nodes[node] = new Node(
                features[node], thresholds[node], left[node], right[node], missingLeft[node], LeftCategories is not null && LeftCategories[node] != default);
        }
    }

    /// <summary>
    /// An internal node packed for scoring: what a step down the tree reads, in one 24-byte value, so a step touches
    /// one cache line rather than one an array.
    /// </summary>
    private readonly record struct Node(int Feature, double Threshold, int Left, int Right, bool MissingLeft, bool Categorical);

    private readonly Node[] _nodes;

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
        var nodes = _nodes;
        if (nodes.Length == 0)
        {
            return 0;
        }

        var index = 0;
        while (true)
        {
            ref readonly var node = ref nodes[index];
            var value = row[node.Feature];
            // Without short-circuits, so a present value costs no second data-dependent branch (a NaN compares false;
            // then its flag and the node's missing direction decide).
            var goesLeft = (value <= node.Threshold) | (double.IsNaN(value) & node.MissingLeft);
            if (node.Categorical)
            {
                goesLeft = double.IsNaN(value) ? node.MissingLeft : InSet(index, value);
            }

            var next = goesLeft ? node.Left : node.Right;
            if (next < 0)
            {
                return ~next;
            }

            index = next;
        }
    }

    /// <summary>Whether a categorical node sends this code left; a code the tree never saw (or not a code) goes right.</summary>
    private bool InSet(int node, double value) =>
        value >= 0 && value < 256 && value == Math.Floor(value) && LeftCategories![node].Contains((int)value);

    public double Predict(ReadOnlySpan<double> row) => LeafValues[LeafOf(row)];

    /// <summary>The same tree reading each feature <c>f</c> at <paramref name="featureMap"/>[f] instead.</summary>
    public DecisionTree WithFeatures(IReadOnlyList<int> featureMap) => new(
        [.. Features.Select(feature => featureMap[feature])], Thresholds, MissingLeft, Left, Right, LeafValues, Gains, LeftCategories);
}
