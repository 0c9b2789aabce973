using MlOps.Learning.Trees;

namespace MlOps.Learning.Tests.Trees;

public sealed class SplitFinderTests
{
    private static readonly SplitOptions Loose = new(L2: 1, MinChildSamples: 1, MinChildWeight: 0);

    [Fact]
    public void A_stump_on_a_hand_made_dataset_is_the_closed_form_best_split_with_its_leaf_values()
    {
        // Squared error from a prediction of 0: gradient −y, hessian 1. x ≤ 3 holds y = 1, 1, 1; x > 3 holds 5, 5, 5.
        double[] x = [1, 2, 3, 4, 5, 6];
        double[] y = [1, 1, 1, 5, 5, 5];
        var split = Stump([x], y, Loose).Split!.Value;

        Assert.Equal(0, split.Feature);
        Assert.Equal(3, split.ThresholdBin); // bins 1..3 hold x = 1, 2, 3
        Assert.Equal((-3.0, 3.0, 3, -15.0, 3.0, 3), (split.LeftGradient, split.LeftHessian, split.LeftCount, split.RightGradient, split.RightHessian, split.RightCount));
        // Closed form: leaf −G / (H + λ); gain G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ).
        Assert.Equal(3.0 / 4, split.LeftValue(Loose), 12);
        Assert.Equal(15.0 / 4, split.RightValue(Loose), 12);
        Assert.Equal((9.0 / 4) + (225.0 / 4) - (324.0 / 7), split.Gain, 12);
    }

    [Fact]
    public void The_best_split_is_the_one_a_brute_force_search_over_every_feature_and_threshold_finds()
    {
        var random = new Random(5);
        var columns = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 200).Select(_ => Math.Round(random.NextDouble() * 20)).ToArray()).ToArray();
        var y = columns[1].Select((v, i) => (v > 12 ? 3.0 : -1.0) + (random.NextDouble() * 0.5) + (columns[2][i] * 0.01)).ToArray();
        var options = new SplitOptions(L2: 2, MinChildSamples: 5);

        var (found, features) = Stump(columns, y, options);
        var split = found!.Value;

        var bestGain = double.NegativeInfinity;
        (int Feature, int Threshold) bestAt = default;
        for (var f = 0; f < columns.Length; f++)
        {
            for (var t = 1; t < features.Bins[f].ValueBins; t++)
            {
                double gl = 0, gr = 0;
                int nl = 0, nr = 0;
                for (var i = 0; i < y.Length; i++)
                {
                    if (features.Column(f)[i] <= t)
                    {
                        gl -= y[i];
                        nl++;
                    }
                    else
                    {
                        gr -= y[i];
                        nr++;
                    }
                }

                if (nl < 5 || nr < 5)
                {
                    continue;
                }

                var gain = (gl * gl / (nl + 2)) + (gr * gr / (nr + 2)) - ((gl + gr) * (gl + gr) / (y.Length + 2));
                if (gain > bestGain)
                {
                    (bestGain, bestAt) = (gain, (f, t));
                }
            }
        }

        Assert.Equal(bestAt, (split.Feature, split.ThresholdBin));
        Assert.Equal(bestGain, split.Gain, 9);
        Assert.Equal(1, split.Feature);
    }

    [Fact]
    public void Missing_values_go_to_the_side_that_gains_more()
    {
        // The missing rows look like the high ones: sending them right gains more.
        double[] x = [1, 2, 3, 4, 5, 6, double.NaN, double.NaN];
        double[] y = [0, 0, 0, 10, 10, 10, 10, 10];

        var split = Stump([x], y, Loose).Split!.Value;

        Assert.False(split.MissingGoesLeft);
        Assert.Equal((3, 5), (split.LeftCount, split.RightCount));
    }

    [Fact]
    public void Limits_and_the_minimum_gain_refuse_splits_and_l1_shrinks_leaves()
    {
        double[] x = [1, 2, 3, 4];
        double[] y = [1, 1, 5, 5];

        Assert.Null(Stump([x], y, Loose with { MinChildSamples = 3 }).Split);
        Assert.Null(Stump([x], y, Loose with { MinSplitGain = 1000 }).Split);
        Assert.Null(Stump([[7.0, 7.0, 7.0, 7.0]], y, Loose).Split);
        var shrunk = new SplitOptions(L2: 0, L1: 1, MinChildSamples: 1, MinChildWeight: 0);
        Assert.Equal(-(-10.0 + 1) / 2, SplitFinder.LeafValue(-10, 2, shrunk), 12);
        Assert.Equal(0, SplitFinder.LeafValue(-0.5, 2, shrunk));
    }

    [Fact]
    public void A_categorical_stump_sends_the_categories_of_one_leaf_value_together_whatever_their_codes()
    {
        // Codes 1, 3 and 4 have y = 5, codes 0, 2 and 5 y = 1: no threshold on the codes separates them, a set does.
        double[] codes = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5];
        var y = codes.Select(code => code is 1 or 3 or 4 ? 5.0 : 1.0).ToArray();
        var features = BinnedFeatures.Create([codes], categoryCounts: [6]);
        var statistics = y.Select(v => new GradientPair(-v, 1)).ToArray();
        var histogram = new Histogram(1);
        new HistogramBuilder(1, threads: 1).Build(histogram, features, statistics, rows: null, 0, y.Length);

        var split = SplitFinder.FindBest(histogram, y.Length, Loose, categorical: [true])!.Value;
        var numeric = SplitFinder.FindBest(histogram, y.Length, Loose)!.Value;

        Assert.True(split.IsCategorical);
        var left = split.LeftBins.Bins().Select(bin => bin - 1).Order().ToArray();
        Assert.True(left.SequenceEqual([0, 2, 5]) || left.SequenceEqual([1, 3, 4]), string.Join(",", left));
        // Both sides pure: the gain is the whole between-group sum of squares, λ = 1 in each score.
        Assert.Equal((6.0 * 6 / 7) + (30.0 * 30 / 7) - (36.0 * 36 / 13), split.Gain, 9);
        Assert.True(split.Gain > numeric.Gain);
    }

    [Fact]
    public void Without_counts_in_the_histogram_the_sides_rows_are_estimated_from_their_hessians()
    {
        // Log-loss-like hessians p(1 − p) between 0.09 and 0.25: the estimate is close, and the sides add up to the node.
        var random = new Random(8);
        var x = Enumerable.Range(0, 4_000).Select(_ => random.NextDouble()).ToArray();
        var statistics = x.Select(v => new GradientPair(v < 0.3 ? -0.6 : 0.4, 0.09 + (0.16 * random.NextDouble()))).ToArray();
        var features = BinnedFeatures.Create([x]);
        var histogram = new Histogram(1);
        new HistogramBuilder(1, threads: 2).Build(histogram, features, statistics, rows: null, 0, x.Length);

        var split = SplitFinder.FindBest(histogram, x.Length, Loose)!.Value;
        var trueLeft = Enumerable.Range(0, x.Length).Count(row => features.Column(0)[row] <= split.ThresholdBin);

        Assert.Equal(x.Length, split.LeftCount + split.RightCount);
        Assert.InRange(split.LeftCount, trueLeft * 0.95, trueLeft * 1.05);
        Assert.InRange(trueLeft, 1_100, 1_300);

        // A limit the estimate puts out of reach refuses the split, as an exact count would.
        Assert.Null(SplitFinder.FindBest(histogram, x.Length, Loose with { MinChildSamples = 2_001 }));
    }

    private static (Split? Split, BinnedFeatures Features) Stump(double[][] columns, double[] y, SplitOptions options)
    {
        var features = BinnedFeatures.Create(columns);
        var statistics = y.Select(v => new GradientPair(-v, 1)).ToArray();
        var histogram = new Histogram(features.FeatureCount);
        new HistogramBuilder(features.FeatureCount, threads: 2).Build(histogram, features, statistics, rows: null, 0, y.Length);
        return (SplitFinder.FindBest(histogram, y.Length, options), features);
    }
}
