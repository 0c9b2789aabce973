namespace MlOps.Learning.Trees;

/// <summary>
/// A trained tree as flat arrays: internal node <c>i</c> sends a row left when its value of <c>Features[i]</c> is at
/// most <c>Thresholds[i]</c> (a missing value goes the way <c>MissingLeft[i]</c> says), else right; a child index
/// below zero is the leaf <c>~index</c>. Scoring walks the arrays and allocates nothing.
/// </summary>
public sealed class DecisionTree
{
    public DecisionTree(int[] features, double[] thresholds, bool[] missingLeft, int[] left, int[] right, double[] leafValues, double[] gains)
    {
        Gains = gains;
        Features = features;
        Thresholds = thresholds;
        MissingLeft = missingLeft;
        Left = left;
        Right = right;
        LeafValues = leafValues;
    }

    public int[] Features { get; }

    public double[] Thresholds { get; }

    public bool[] MissingLeft { get; }

    public int[] Left { get; }

    public int[] Right { get; }

    public double[] LeafValues { get; }

    /// <summary>What each internal node's split gained in training (feature importance adds them up).</summary>
    public double[] Gains { get; }

    public int LeafCount => LeafValues.Length;

    /// <summary>The leaf a row (its features' raw values, NaN where missing) falls into.</summary>
    public int LeafOf(ReadOnlySpan<double> row)
    {
        if (Features.Length == 0)
        {
            return 0;
        }

        var node = 0;
        while (true)
        {
            var value = row[Features[node]];
            var next = (double.IsNaN(value) ? MissingLeft[node] : value <= Thresholds[node]) ? Left[node] : Right[node];
            if (next < 0)
            {
                return ~next;
            }

            node = next;
        }
    }

    public double Predict(ReadOnlySpan<double> row) => LeafValues[LeafOf(row)];
}
