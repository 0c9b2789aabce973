using System.Buffers;
using MlOps.Learning.Models;

namespace MlOps.Learning.Trees;

/// <summary>How an ensemble's trees combine.</summary>
public enum EnsembleKind
{
    /// <summary>Margins are the base scores plus every tree's leaf value (gradient boosting).</summary>
    Boosted,

    /// <summary>
    /// Each output is the mean of its trees' leaf values (a random forest): the value for regression, the probability
    /// of class 1 for binary, each class's one-vs-rest probability (normalized to sum to 1) for multiclass.
    /// </summary>
    Forest,
}

/// <summary>
/// Trees as a model's predictor: <c>Trees[member][output]</c>, each tree adding to one output. The featurized row is
/// laid out densely (entries not written are 0; a missing number is NaN) and walked down every tree. A forest reports
/// its probabilities as margins the model's sigmoid or softmax turns back into them (log-odds, log-probabilities).
/// </summary>
public sealed class TreeEnsemblePredictor : Predictor
{
    /// <summary>Rows at most this wide are laid out on the stack when scored.</summary>
    private const int StackWidth = 512;

    /// <summary>Forest probabilities are kept this far from 0 and 1, so their margins stay finite.</summary>
    private const double ProbabilityFloor = 1e-15;

    public TreeEnsemblePredictor(EnsembleKind kind, BoostingObjective objective, int width, double[] baseScores, DecisionTree[][] trees)
    {
        if (trees.Any(member => member.Length != baseScores.Length))
        {
            throw new ArgumentException($"Every ensemble member needs one tree an output ({baseScores.Length}).", nameof(trees));
        }

        if (trees.SelectMany(member => member).SelectMany(tree => tree.Features).Any(feature => feature < 0 || feature >= width))
        {
            throw new ArgumentException($"A tree splits on a feature outside the {width} features.", nameof(trees));
        }

        Kind = kind;
        Objective = objective;
        Width = width;
        BaseScores = baseScores;
        Trees = trees;
    }

    /// <summary>
    /// For wide rows (hashed text), the features the trees read laid out side by side: each feature's place (−1 when no
    /// tree reads it), the trees reading them there, and their count. Built on the first sparse scoring, not at
    /// construction: training builds predictors over wide rows that are only ever remapped or scored densely.
    /// </summary>
    private sealed record CompactLayout(int[] PlaceOf, DecisionTree[][] Trees, int Width);

    private CompactLayout? _compact;

    private CompactLayout Compact()
    {
        return _compact ?? Interlocked.CompareExchange(ref _compact, Build(), null) ?? _compact!;

        CompactLayout Build()
        {
            var used = Trees.SelectMany(member => member).SelectMany(tree => tree.Features).Distinct().Order().ToArray();
            var placeOf = new int[Width];
            Array.Fill(placeOf, -1);
            for (var i = 0; i < used.Length; i++)
            {
                placeOf[used[i]] = i;
            }

            return new CompactLayout(placeOf, [.. Trees.Select(member => member.Select(tree => tree.WithFeatures(placeOf)).ToArray())], used.Length);
        }
    }

    public EnsembleKind Kind { get; }

    public BoostingObjective Objective { get; }

    public override int Width { get; }

    public override int Outputs => BaseScores.Length;

    /// <summary>One an output (boosting's starting margins; zeros for a forest).</summary>
    public double[] BaseScores { get; }

    public DecisionTree[][] Trees { get; }

    /// <summary>The boosted ensemble of a trained <see cref="BoostedTrees"/>, over rows <paramref name="width"/> features wide.</summary>
    public static TreeEnsemblePredictor From(BoostedTrees boosted, int width) =>
        new(EnsembleKind.Boosted, boosted.Objective, width, boosted.BaseScores, boosted.Trees);

    /// <summary>Each feature's importance over every tree: the total gain of the splits on it, and how many use it.</summary>
    public (double[] Gain, int[] Splits) FeatureImportance()
    {
        var gain = new double[Width];
        var splits = new int[Width];
        foreach (var member in Trees)
        {
            foreach (var tree in member)
            {
                for (var node = 0; node < tree.Features.Length; node++)
                {
                    gain[tree.Features[node]] += tree.Gains[node];
                    splits[tree.Features[node]]++;
                }
            }
        }

        return (gain, splits);
    }

    public override void Margins(ReadOnlySpan<int> indices, ReadOnlySpan<double> values, Span<double> margins)
    {
        var compact = Width > StackWidth ? Compact() : null;
        var width = compact?.Width ?? Width;
        double[]? rented = null;
        var row = width <= StackWidth ? stackalloc double[StackWidth] : rented = ArrayPool<double>.Shared.Rent(width);
        try
        {
            row = row[..width];
            row.Clear();
            for (var entry = 0; entry < indices.Length; entry++)
            {
                if (compact is null)
                {
                    row[indices[entry]] = values[entry];
                }
                else if (compact.PlaceOf[indices[entry]] is >= 0 and var place)
                {
                    row[place] = values[entry];
                }
            }

            MarginsOf(compact?.Trees ?? Trees, row, margins);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Each output's margin for a row given densely (<see cref="Width"/> values, NaN where missing).</summary>
    public void MarginsOfRow(ReadOnlySpan<double> row, Span<double> margins) => MarginsOf(Trees, row, margins);

    private void MarginsOf(DecisionTree[][] trees, ReadOnlySpan<double> row, Span<double> margins)
    {
        BaseScores.CopyTo(margins);
        foreach (var member in trees)
        {
            for (var output = 0; output < member.Length; output++)
            {
                margins[output] += member[output].Predict(row);
            }
        }

        Finish(margins);
    }

    /// <summary>
    /// The batch path: the margins of many rows (row-major, <see cref="Width"/> values a row; margins row-major, one an
    /// output), scored tree by tree over blocks of rows small enough to stay in the core's first-level cache, so each
    /// tree's nodes are read once a block rather than once a row.
    /// </summary>
    public void MarginsOfRows(ReadOnlySpan<double> rows, Span<double> margins)
    {
        var count = rows.Length / Width;
        var outputs = Outputs;
        for (var row = 0; row < count; row++)
        {
            BaseScores.CopyTo(margins.Slice(row * outputs, outputs));
        }

        var blockRows = Math.Max(1, BatchBlockBytes / (Width * sizeof(double)));
        for (var first = 0; first < count; first += blockRows)
        {
            var last = Math.Min(count, first + blockRows);
            foreach (var member in Trees)
            {
                for (var output = 0; output < member.Length; output++)
                {
                    var tree = member[output];
                    for (var row = first; row < last; row++)
                    {
                        margins[(row * outputs) + output] += tree.Predict(rows.Slice(row * Width, Width));
                    }
                }
            }
        }

        for (var row = 0; row < count; row++)
        {
            Finish(margins.Slice(row * outputs, outputs));
        }
    }

    /// <summary>The rows of a batch block take at most this many bytes (half a 32 KiB L1 data cache).</summary>
    private const int BatchBlockBytes = 16 * 1024;

    /// <summary>A forest's sums become means, and its probabilities margins; boosted sums are margins already.</summary>
    private void Finish(Span<double> margins)
    {
        if (Kind == EnsembleKind.Boosted)
        {
            return;
        }

        for (var output = 0; output < margins.Length; output++)
        {
            margins[output] /= Trees.Length;
        }

        switch (Objective)
        {
            case BoostingObjective.LogLoss:
                var p = Math.Clamp(margins[0], ProbabilityFloor, 1 - ProbabilityFloor);
                margins[0] = Math.Log(p / (1 - p));
                break;
            case BoostingObjective.Softmax:
                for (var output = 0; output < margins.Length; output++)
                {
                    margins[output] = Math.Log(Math.Max(margins[output], ProbabilityFloor));
                }

                break;
        }
    }
}
