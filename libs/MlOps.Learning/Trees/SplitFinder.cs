namespace MlOps.Learning.Trees;

/// <summary>The regularization and the limits a split must respect.</summary>
/// <param name="L2">λ, added to every hessian sum in scores and leaf values.</param>
/// <param name="L1">α, subtracted from the absolute gradient sum (soft threshold).</param>
/// <param name="MinChildSamples">Rows each side must keep.</param>
/// <param name="MinChildWeight">Hessian sum each side must keep.</param>
/// <param name="MinSplitGain">A split must gain more than this.</param>
public sealed record SplitOptions(double L2 = 1, double L1 = 0, int MinChildSamples = 20, double MinChildWeight = 1e-3, double MinSplitGain = 0);

/// <summary>
/// A node's best split: rows whose bin of <see cref="Feature"/> is 1 to <see cref="ThresholdBin"/> go left (for a
/// categorical feature: whose bin is in <see cref="LeftBins"/>), the other value bins right, missing values (bin 0) to
/// the side <see cref="MissingGoesLeft"/> names; with each side's sums and leaf value.
/// </summary>
public readonly record struct Split(
    int Feature,
    int ThresholdBin,
    bool MissingGoesLeft,
    double Gain,
    double LeftGradient,
    double LeftHessian,
    int LeftCount,
    double RightGradient,
    double RightHessian,
    int RightCount,
    BinSet LeftBins = default)
{
    public bool IsCategorical => LeftBins != default;

    public double LeftValue(SplitOptions options) => SplitFinder.LeafValue(LeftGradient, LeftHessian, options);

    public double RightValue(SplitOptions options) => SplitFinder.LeafValue(RightGradient, RightHessian, options);
}

/// <summary>
/// Chooses a node's split from its histogram, the second-order way (XGBoost, LightGBM): a side with gradient sum G
/// and hessian sum H scores T(G)² / (H + λ), where T soft-thresholds by α; a split gains the two sides' scores less
/// the node's. Every feature and every threshold between its value bins is tried, with missing values sent left and
/// then right (when the node has any), and the side that gains more is kept as the feature's default direction.
/// Histograms do not count rows: a bin's count is its hessian sum times the node's rows per unit of hessian, rounded
/// (LightGBM's estimate), exact when every hessian is the same (squared error) and close otherwise; it serves the
/// minimum rows a side must keep.
/// </summary>
public static class SplitFinder
{
    /// <summary>The leaf value that minimizes the second-order loss: −T(G) / (H + λ).</summary>
    public static double LeafValue(double gradient, double hessian, SplitOptions options) =>
        -Threshold(gradient, options.L1) / (hessian + options.L2);

    /// <summary>The best split by gain, or null when none gains more than the minimum within the limits.</summary>
    /// <param name="rows">The node's rows, from which its bins' counts are estimated.</param>
    /// <param name="featureMask">When given, only the features marked true are tried.</param>
    /// <param name="categorical">When given, the features marked true hold category codes and split on sets of them.</param>
    public static Split? FindBest(Histogram histogram, int rows, SplitOptions options, bool[]? featureMask = null, bool[]? categorical = null)
    {
        Split? best = null;
        for (var feature = 0; feature < histogram.FeatureCount; feature++)
        {
            if (featureMask is not null && !featureMask[feature])
            {
                continue;
            }

            var found = categorical is not null && categorical[feature] ? BestSetOf(histogram, feature, rows, options) : BestOf(histogram, feature, rows, options);
            if (found is { } candidate && (best is not { } current || candidate.Gain > current.Gain))
            {
                best = candidate;
            }
        }

        return best;
    }

    private static Split? BestOf(Histogram histogram, int feature, int totalCount, SplitOptions options)
    {
        var sums = histogram.Of(feature);
        var slots = histogram.SlotsOf(feature);
        var (totalGradient, totalHessian) = histogram.Total(feature);
        if (totalHessian <= 0)
        {
            return null;
        }

        var rowsPerHessian = totalCount / totalHessian;
        var lastBin = 0;
        for (var bin = slots - 1; bin > 0; bin--)
        {
            if (CountOf(sums[(bin * Histogram.Lanes) + 1], rowsPerHessian) > 0)
            {
                lastBin = bin;
                break;
            }
        }

        var parentScore = Score(totalGradient, totalHessian, options);
        var missingGradient = sums[0];
        var missingHessian = sums[1];
        var missingCount = CountOf(missingHessian, rowsPerHessian);
        var hasMissing = missingCount > 0;
        Split? best = null;
        double leftGradient = 0, leftHessian = 0;
        var leftCount = 0;
        for (var threshold = 1; threshold < lastBin; threshold++)
        {
            var slot = threshold * Histogram.Lanes;
            leftGradient += sums[slot];
            leftHessian += sums[slot + 1];
            leftCount += CountOf(sums[slot + 1], rowsPerHessian);
            for (var direction = 0; direction < (hasMissing ? 2 : 1); direction++)
            {
                var missingLeft = direction == 0;
                var g = leftGradient + (missingLeft ? missingGradient : 0);
                var h = leftHessian + (missingLeft ? missingHessian : 0);
                var n = leftCount + (missingLeft ? missingCount : 0);
                var rightCount = totalCount - n;
                var rightHessian = totalHessian - h;
                if (n < options.MinChildSamples || rightCount < options.MinChildSamples
                    || h < options.MinChildWeight || rightHessian < options.MinChildWeight)
                {
                    continue;
                }

                var rightGradient = totalGradient - g;
                var gain = Score(g, h, options) + Score(rightGradient, rightHessian, options) - parentScore;
                if (gain > options.MinSplitGain && (best is not { } current || gain > current.Gain))
                {
                    best = new Split(feature, threshold, missingLeft, gain, g, h, n, rightGradient, rightHessian, rightCount);
                }
            }
        }

        return best;
    }

    /// <summary>A bin's estimated rows: its hessian sum in rows (0 for an empty bin, whose sum is 0 or a rounding's residue).</summary>
    private static int CountOf(double hessian, double rowsPerHessian) => (int)((hessian * rowsPerHessian) + 0.5);

    /// <summary>
    /// A categorical feature's best split into two sets of categories (LightGBM's way): its categories ordered by their
    /// own leaf value −G/(H + λ), and the best cut of that order tried, which for squared error is the best of all
    /// two-set partitions (Fisher). Missing values (no code) go right.
    /// </summary>
    private static Split? BestSetOf(Histogram histogram, int feature, int totalCount, SplitOptions options)
    {
        var sums = histogram.Of(feature);
        Span<int> bins = stackalloc int[Histogram.SlotsPerFeature];
        Span<double> keys = stackalloc double[Histogram.SlotsPerFeature];
        var (totalGradient, totalHessian) = histogram.Total(feature);
        if (totalHessian <= 0)
        {
            return null;
        }

        var rowsPerHessian = totalCount / totalHessian;
        var present = 0;
        for (var bin = 0; bin < histogram.SlotsOf(feature); bin++)
        {
            var slot = bin * Histogram.Lanes;
            if (CountOf(sums[slot + 1], rowsPerHessian) <= 0)
            {
                continue;
            }

            if (bin != NumericBins.MissingBin)
            {
                bins[present] = bin;
                keys[present++] = LeafValue(sums[slot], sums[slot + 1], options);
            }
        }

        if (present < 2)
        {
            return null;
        }

        keys[..present].Sort(bins[..present]);
        var parentScore = Score(totalGradient, totalHessian, options);
        Split? best = null;
        var bestCut = 0;
        double g = 0, h = 0;
        var n = 0;
        for (var cut = 1; cut < present; cut++)
        {
            var slot = bins[cut - 1] * Histogram.Lanes;
            g += sums[slot];
            h += sums[slot + 1];
            n += CountOf(sums[slot + 1], rowsPerHessian);
            var rightCount = totalCount - n;
            var rightHessian = totalHessian - h;
            if (n < options.MinChildSamples || rightCount < options.MinChildSamples || h < options.MinChildWeight || rightHessian < options.MinChildWeight)
            {
                continue;
            }

            var gain = Score(g, h, options) + Score(totalGradient - g, rightHessian, options) - parentScore;
            if (gain > options.MinSplitGain && (best is not { } current || gain > current.Gain))
            {
                best = new Split(feature, 0, false, gain, g, h, n, totalGradient - g, rightHessian, rightCount);
                bestCut = cut;
            }
        }

        if (best is not { } chosen)
        {
            return null;
        }

        var left = default(BinSet);
        foreach (var bin in bins[..bestCut])
        {
            left = left.With(bin);
        }

        return chosen with { LeftBins = left };
    }

    private static double Score(double gradient, double hessian, SplitOptions options)
    {
        var thresholded = Threshold(gradient, options.L1);
        return thresholded * thresholded / (hessian + options.L2);
    }

    private static double Threshold(double gradient, double l1) =>
        l1 == 0 ? gradient : Math.Sign(gradient) * Math.Max(Math.Abs(gradient) - l1, 0);
}
