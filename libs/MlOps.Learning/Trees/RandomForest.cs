namespace MlOps.Learning.Trees;

/// <summary>
/// A forest's settings: <paramref name="Trees"/> trees of <paramref name="Tree"/>'s shape, each leaf choosing its split
/// among <paramref name="FeaturesPerSplit"/> features drawn at random (default: √features for classification, all for
/// regression, scikit-learn's defaults), each tree grown from a bootstrap sample of the rows when
/// <paramref name="Bootstrap"/>; seeded by <paramref name="Seed"/>, on <paramref name="Threads"/> workers.
/// </summary>
public sealed record ForestOptions(
    int Trees = 100,
    TreeOptions? Tree = null,
    int MaxBins = NumericBins.MaxValueBins,
    int? FeaturesPerSplit = null,
    bool Bootstrap = true,
    int Seed = 0,
    int? Threads = null)
{
    /// <summary>A forest's trees grow until their leaves are pure or hold one row, within 255 leaves.</summary>
    public static TreeOptions DefaultTree { get; } = new(NumLeaves: 255, Split: new SplitOptions(L2: 0, MinChildSamples: 1, MinChildWeight: 0));
}

/// <summary>
/// Random forests on the same binned features and histogram code as boosting. A tree minimizes squared error on
/// weighted rows: the bootstrap draws each row some number of times and that count is its weight (gradient −w·y,
/// hessian w), so a split's gain is the weighted variance reduction (for a 0/1 target, proportional to the Gini
/// decrease) and a leaf's value is its weighted mean: the value, or the share of the class. Multiclass grows one
/// tree a class (one-vs-rest) on each bootstrap sample. Trees are independent, so each worker grows whole trees on its
/// own; tree <c>t</c> draws from a source seeded by <c>Seed</c> and <c>t</c>, so the forest does not depend on the
/// number of workers.
/// </summary>
public static class RandomForest
{
    public static TreeEnsemblePredictor Train(BoostingData training, BoostingObjective objective, int classes, ForestOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Trees, 1);
        var threads = options.Threads ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var features = training.Bin(options.MaxBins, options.Seed, threads);
        var perSplit = options.FeaturesPerSplit
            ?? (objective == BoostingObjective.SquaredError ? features.FeatureCount : Math.Max(1, (int)Math.Sqrt(features.FeatureCount)));
        ArgumentOutOfRangeException.ThrowIfLessThan(perSplit, 1);
        var treeOptions = (options.Tree ?? ForestOptions.DefaultTree) with { Threads = 1, FeaturesPerSplit = Math.Min(perSplit, features.FeatureCount) };
        var outputs = objective == BoostingObjective.Softmax ? classes : 1;
        var rows = training.Targets.Length;
        var trees = new DecisionTree[options.Trees][];
        var workers = Math.Min(threads, options.Trees);

        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            var grower = new TreeGrower(features, treeOptions);
            var statistics = new GradientPair[rows];
            var weights = new int[rows];
            var sample = new int[rows];
            for (var tree = worker; tree < options.Trees; tree += workers)
            {
                var random = new Random(HashCode.Combine(options.Seed, tree));
                var sampled = Draw(random, weights, sample, options.Bootstrap);
                var subset = sampled == rows ? null : sample[..sampled];
                var member = new DecisionTree[outputs];
                for (var output = 0; output < outputs; output++)
                {
                    foreach (var row in sample.AsSpan(0, sampled))
                    {
                        var target = training.Targets[row];
                        var y = objective == BoostingObjective.Softmax ? (target == output ? 1 : 0) : target;
                        statistics[row] = new GradientPair(-y * weights[row], weights[row]);
                    }

                    member[output] = grower.Grow(statistics, rowSubset: subset, random: random);
                }

                trees[tree] = member;
            }
        });

        return new TreeEnsemblePredictor(EnsembleKind.Forest, objective, features.FeatureCount, new double[outputs], trees);
    }

    /// <summary>
    /// A bootstrap sample (as many draws with replacement as rows): each row's weight is how often it was drawn, and
    /// the rows drawn at least once go to <paramref name="sample"/> in ascending order; answers how many. Without
    /// bootstrap every row is drawn once.
    /// </summary>
    private static int Draw(Random random, int[] weights, int[] sample, bool bootstrap)
    {
        var rows = weights.Length;
        if (!bootstrap)
        {
            Array.Fill(weights, 1);
            for (var row = 0; row < rows; row++)
            {
                sample[row] = row;
            }

            return rows;
        }

        Array.Clear(weights);
        for (var draw = 0; draw < rows; draw++)
        {
            weights[random.Next(rows)]++;
        }

        var sampled = 0;
        for (var row = 0; row < rows; row++)
        {
            if (weights[row] > 0)
            {
                sample[sampled++] = row;
            }
        }

        return sampled;
    }
}
