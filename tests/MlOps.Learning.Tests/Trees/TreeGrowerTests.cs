using MlOps.Learning.Trees;

namespace MlOps.Learning.Tests.Trees;

public sealed class TreeGrowerTests
{
    private static readonly SplitOptions Loose = new(L2: 1, MinChildSamples: 1, MinChildWeight: 0);

    [Fact]
    public void Two_leaves_are_the_best_stump_and_its_leaf_values()
    {
        double[] x = [1, 2, 3, 4, 5, 6];
        double[] y = [1, 1, 1, 5, 5, 5];

        var tree = Grow([x], y, new TreeOptions(NumLeaves: 2, Split: Loose));

        Assert.Equal(2, tree.LeafCount);
        Assert.Equal((0, 3.5), (tree.Features[0], tree.Thresholds[0]));
        // Leaves −G/(H + λ): 3/4 left (x ≤ 3.5), 15/4 right; the bound itself goes left.
        Assert.Equal([0.75, 0.75, 3.75, 3.75], new[] { tree.Predict([1]), tree.Predict([3.5]), tree.Predict([3.6]), tree.Predict([6]) });
    }

    [Fact]
    public void Leaf_wise_growth_keeps_to_the_leaf_and_depth_limits_and_each_leaf_lowers_the_training_loss()
    {
        var random = new Random(11);
        var columns = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 2_000).Select(_ => random.NextDouble()).ToArray()).ToArray();
        var y = Enumerable.Range(0, 2_000).Select(i => (columns[0][i] > 0.5 ? 2.0 : 0) + (columns[1][i] > 0.3 ? 1.0 : -1) + (columns[2][i] * columns[3][i])).ToArray();

        var losses = new List<double>();
        foreach (var leaves in new[] { 2, 4, 8, 16, 31 })
        {
            var tree = Grow(columns, y, new TreeOptions(NumLeaves: leaves, Split: new SplitOptions(L2: 0, MinChildSamples: 10)));
            Assert.Equal(leaves, tree.LeafCount);
            losses.Add(SquaredError(tree, columns, y));
        }

        var shallow = Grow(columns, y, new TreeOptions(NumLeaves: 31, MaxDepth: 2, Split: new SplitOptions(L2: 0, MinChildSamples: 10)));

        Assert.True(losses.Zip(losses.Skip(1)).All(pair => pair.Second < pair.First), string.Join(", ", losses));
        Assert.Equal(4, shallow.LeafCount);
    }

    [Fact]
    public void Every_training_row_scored_on_its_raw_values_lands_in_the_leaf_its_bins_chose()
    {
        var random = new Random(2);
        var columns = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 3_000)
            .Select(_ => random.NextDouble() < 0.05 ? double.NaN : Math.Round(random.NextDouble() * 500) / 7).ToArray()).ToArray();
        var y = Enumerable.Range(0, 3_000).Select(i => double.IsNaN(columns[0][i]) ? 9 : columns[0][i] / 10 + (columns[1][i] > 30 ? 2 : 0)).ToArray();
        var options = new TreeOptions(NumLeaves: 12, Split: new SplitOptions(L2: 0, MinChildSamples: 5));

        var tree = Grow(columns, y, options);

        // With λ = 0 a leaf's value is the mean target of the rows in it: the raw-value walk must put each row where
        // the binned growth put it.
        var sums = new double[tree.LeafCount];
        var counts = new int[tree.LeafCount];
        for (var i = 0; i < y.Length; i++)
        {
            var leaf = tree.LeafOf([columns[0][i], columns[1][i], columns[2][i]]);
            sums[leaf] += y[i];
            counts[leaf]++;
        }

        for (var leaf = 0; leaf < tree.LeafCount; leaf++)
        {
            Assert.Equal(sums[leaf] / counts[leaf], tree.LeafValues[leaf], 9);
        }
    }

    [Fact]
    public void A_tree_grown_on_one_thread_equals_the_one_grown_on_several()
    {
        // Enough rows that the root's partition is cut into chunks and histograms into shares.
        var random = new Random(8);
        var columns = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 150_000).Select(_ => random.NextDouble() < 0.05 ? double.NaN : random.NextDouble()).ToArray()).ToArray();
        var y = Enumerable.Range(0, 150_000).Select(i => (columns[0][i] > 0.4 ? 1.0 : 0) + (double.IsNaN(columns[1][i]) ? 2 : columns[1][i]) + (random.NextDouble() * 0.1)).ToArray();
        var statistics = y.Select(v => new GradientPair(-v, 1)).ToArray();
        var features = BinnedFeatures.Create(columns);
        var growerOne = new TreeGrower(features, new TreeOptions(Threads: 1));
        var growerThree = new TreeGrower(features, new TreeOptions(Threads: 3));

        var one = growerOne.Grow(statistics);
        var three = growerThree.Grow(statistics);
        var leavesOne = LeafOfEachRow(growerOne, one.LeafCount, y.Length);
        var leavesThree = LeafOfEachRow(growerThree, three.LeafCount, y.Length);

        Assert.Equal(31, one.LeafCount);
        Assert.Equal(one.Features, three.Features);
        Assert.Equal(one.Thresholds, three.Thresholds);
        Assert.Equal(one.MissingLeft, three.MissingLeft);
        Assert.Equal(one.Left, three.Left);
        Assert.Equal(one.Right, three.Right);
        Assert.Equal(leavesOne, leavesThree);
        for (var leaf = 0; leaf < one.LeafCount; leaf++)
        {
            Assert.Equal(one.LeafValues[leaf], three.LeafValues[leaf], 1e-9);
        }

        for (var row = 0; row < y.Length; row += 97)
        {
            Assert.Equal(one.LeafOf([columns[0][row], columns[1][row], columns[2][row], columns[3][row], columns[4][row]]), leavesOne[row]);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void A_tree_keeping_few_histograms_is_the_tree_keeping_one_a_leaf(int kept)
    {
        var random = new Random(12);
        var columns = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, 20_000).Select(_ => random.NextDouble()).ToArray()).ToArray();
        var y = Enumerable.Range(0, 20_000).Select(i => Math.Sin(6 * columns[0][i]) + (columns[1][i] * columns[2][i]) + (0.1 * random.NextDouble())).ToArray();
        var statistics = y.Select(v => new GradientPair(-v, 1)).ToArray();
        var features = BinnedFeatures.Create(columns);
        var options = new TreeOptions(NumLeaves: 63, Split: new SplitOptions(MinChildSamples: 10));

        var all = new TreeGrower(features, options).Grow(statistics);
        var few = new TreeGrower(features, options with { MaxHistograms = kept }).Grow(statistics);

        Assert.Equal(63, all.LeafCount);
        Assert.Equal(all.Features, few.Features);
        Assert.Equal(all.Thresholds, few.Thresholds);
        Assert.Equal(all.Left, few.Left);
        Assert.Equal(all.Right, few.Right);
        for (var leaf = 0; leaf < all.LeafCount; leaf++)
        {
            Assert.Equal(all.LeafValues[leaf], few.LeafValues[leaf], 1e-9);
        }
    }

    /// <summary>Each row's leaf as the grower partitioned them: every row in exactly one leaf.</summary>
    private static int[] LeafOfEachRow(TreeGrower grower, int leaves, int rows)
    {
        var leafOf = Enumerable.Repeat(-1, rows).ToArray();
        for (var leaf = 0; leaf < leaves; leaf++)
        {
            foreach (var row in grower.RowsOf(leaf))
            {
                Assert.Equal(-1, leafOf[row]);
                leafOf[row] = leaf;
            }
        }

        Assert.DoesNotContain(-1, leafOf);
        return leafOf;
    }

    private static DecisionTree Grow(double[][] columns, double[] y, TreeOptions options)
    {
        var features = BinnedFeatures.Create(columns);
        var statistics = y.Select(v => new GradientPair(-v, 1)).ToArray();
        return new TreeGrower(features, options).Grow(statistics);
    }

    private static double SquaredError(DecisionTree tree, double[][] columns, double[] y)
    {
        var row = new double[columns.Length];
        var total = 0.0;
        for (var i = 0; i < y.Length; i++)
        {
            for (var f = 0; f < columns.Length; f++)
            {
                row[f] = columns[f][i];
            }

            var error = tree.Predict(row) - y[i];
            total += error * error;
        }

        return total / y.Length;
    }
}
