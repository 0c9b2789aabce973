using System.Numerics.Tensors;

namespace MlOps.Learning.Trees;

/// <summary>
/// Boosting's settings (the names): rounds, learning rate, the trees, bins, early stopping, and the shares of
/// rows (<paramref name="BaggingFraction"/>) and of features (<paramref name="FeatureFraction"/>) each tree is grown
/// from, drawn with <paramref name="Seed"/>; <paramref name="Threads"/> workers (default: every core).
/// </summary>
public sealed record BoostingOptions(
    int Rounds = 100,
    double LearningRate = 0.1,
    TreeOptions? Tree = null,
    int MaxBins = NumericBins.MaxValueBins,
    int? EarlyStoppingRounds = null,
    int Seed = 0,
    double BaggingFraction = 1,
    double FeatureFraction = 1,
    int? Threads = null);

/// <summary>
/// Sparse features (hashed text) as compressed sparse rows: row r's entries are
/// <c>Features/Values[RowStarts[r] .. RowStarts[r + 1])</c>, features (0 to <paramref name="FeatureCount"/> − 1)
/// ascending, values above zero; every other value is zero.
/// </summary>
public sealed record SparseRows(int FeatureCount, int[] RowStarts, int[] Features, double[] Values);

/// <summary>
/// Rows to train on or to validate with: one array of values a dense feature (NaN where missing), the sparse features
/// numbered after them, and the targets.
/// </summary>
/// <param name="Targets">The value (squared error), 0 or 1 (log-loss), or the class code (softmax).</param>
/// <param name="CategoryCounts">When given, each dense feature's number of category codes, or 0 for a numeric feature.</param>
/// <param name="Sparse">When given, features that are mostly zero, after the dense ones.</param>
public sealed record BoostingData(IReadOnlyList<double[]> Columns, double[] Targets, IReadOnlyList<int>? CategoryCounts = null, SparseRows? Sparse = null)
{
    public int FeatureCount => Columns.Count + (Sparse?.FeatureCount ?? 0);

    /// <summary>One row's value of every feature, into <paramref name="buffer"/> (<see cref="FeatureCount"/> long).</summary>
    public double[] RowValues(int row, double[] buffer)
    {
        for (var feature = 0; feature < Columns.Count; feature++)
        {
            buffer[feature] = Columns[feature][row];
        }

        if (Sparse is { } sparse)
        {
            Array.Clear(buffer, Columns.Count, sparse.FeatureCount);
            for (var entry = sparse.RowStarts[row]; entry < sparse.RowStarts[row + 1]; entry++)
            {
                buffer[Columns.Count + sparse.Features[entry]] = sparse.Values[entry];
            }
        }

        return buffer;
    }

    /// <summary>These rows only, in this order.</summary>
    public BoostingData Take(IReadOnlyList<int> rows)
    {
        var columns = Columns.Select(column =>
        {
            var taken = new double[rows.Count];
            for (var i = 0; i < rows.Count; i++)
            {
                taken[i] = column[rows[i]];
            }

            return taken;
        }).ToArray();
        var targets = new double[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            targets[i] = Targets[rows[i]];
        }

        SparseRows? sparse = null;
        if (Sparse is { } all)
        {
            var rowStarts = new int[rows.Count + 1];
            var features = new List<int>();
            var values = new List<double>();
            for (var i = 0; i < rows.Count; i++)
            {
                for (var entry = all.RowStarts[rows[i]]; entry < all.RowStarts[rows[i] + 1]; entry++)
                {
                    features.Add(all.Features[entry]);
                    values.Add(all.Values[entry]);
                }

                rowStarts[i + 1] = features.Count;
            }

            sparse = all with { RowStarts = rowStarts, Features = [.. features], Values = [.. values] };
        }

        return new BoostingData(columns, targets, CategoryCounts, sparse);
    }

    /// <summary>The features binned for trees, the sparse ones' bounds and the dense ones' seeded by <paramref name="seed"/>.</summary>
    internal BinnedFeatures Bin(int maxBins, int seed, int threads) =>
        BinnedFeatures.Create(Columns, maxBins, seed, threads, CategoryCounts, Sparse is null ? null : SparseFeatures.Create(Sparse, seed + Columns.Count));
}

/// <summary>
/// Histogram gradient boosting: features binned once; each round, for each output, the gradients and hessians of the
/// objective at the current margins grow one tree (<see cref="TreeGrower"/>), whose leaves, scaled by the learning
/// rate, are added to the margins. The base score is the targets' mean (squared error), their log-odds (log-loss) or
/// each class's log-share (softmax). With a validation set and <see cref="BoostingOptions.EarlyStoppingRounds"/>,
/// training stops when that many rounds have not improved the validation loss, and keeps the best round.
/// </summary>
public static class GradientBoosting
{
    /// <param name="onRound">
    /// Hears of every round: its number, the mean training loss, and a way to take the model as it stands.
    /// </param>
    public static BoostedTrees Train(
        BoostingData training,
        BoostingObjective objective,
        int classes,
        BoostingOptions options,
        BoostingData? validation = null,
        Action<int, double, Func<BoostedTrees>>? onRound = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Rounds, 1);
        if (options.BaggingFraction is <= 0 or > 1 || options.FeatureFraction is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "BaggingFraction and FeatureFraction must be above 0 and at most 1.");
        }

        var outputs = objective == BoostingObjective.Softmax ? classes : 1;
        var rows = training.Targets.Length;
        var threads = options.Threads ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        var features = training.Bin(options.MaxBins, options.Seed, threads);
        var grower = new TreeGrower(features, (options.Tree ?? new TreeOptions()) with { Threads = threads });

        var baseScores = BaseScores(objective, outputs, training.Targets);
        var margins = new double[rows * outputs];
        for (var row = 0; row < rows; row++)
        {
            baseScores.CopyTo(margins, row * outputs);
        }

        var validationMargins = validation is null ? null : new double[validation.Targets.Length * outputs];
        if (validationMargins is not null)
        {
            for (var row = 0; row < validation!.Targets.Length; row++)
            {
                baseScores.CopyTo(validationMargins, row * outputs);
            }
        }

        var statistics = new GradientPair[rows];
        var probabilities = objective == BoostingObjective.Softmax ? new double[rows * outputs] : null;
        var random = new Random(options.Seed);
        var sampledRows = options.BaggingFraction < 1 ? new int[Math.Max(1, (int)(rows * options.BaggingFraction))] : null;
        var inSample = sampledRows is null ? null : new bool[rows];
        var featureMask = options.FeatureFraction < 1 ? new bool[training.FeatureCount] : null;
        var blockLosses = onRound is null ? null : new double[Blocks(rows)];
        var validationLosses = validation is null ? null : new double[Blocks(validation.Targets.Length)];
        var allRows = Enumerable.Range(0, rows).ToArray();
        var allFeatures = Enumerable.Range(0, training.FeatureCount).ToArray();
        var trees = new List<DecisionTree[]>(options.Rounds);
        var bestLoss = double.PositiveInfinity;
        var bestRound = -1;
        for (var round = 0; round < options.Rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var roundTrees = new DecisionTree[outputs];
            // Every output's gradients come from the margins before this round (softmax trees are grown side by side),
            // through probabilities taken once for all classes.
            // The loss of the margins before this round (the last round's training loss) comes with them, a block a worker.
            var before = margins;
            if (probabilities is not null)
            {
                Parallel.For(0, Blocks(rows), parallel, block =>
                {
                    var (from, to) = BlockRange(block, rows);
                    var loss = Objectives.SoftmaxRows(margins, probabilities, outputs, training.Targets, from, to);
                    if (blockLosses is not null)
                    {
                        blockLosses[block] = loss;
                    }
                });
                before = probabilities;
            }

            Draw(random, allRows, sampledRows, inSample);
            Draw(random, allFeatures, featureMask is null ? null : new int[Math.Max(1, (int)Math.Round(allFeatures.Length * options.FeatureFraction))], featureMask);
            for (var output = 0; output < outputs; output++)
            {
                var lossWanted = blockLosses is not null && probabilities is null;
                Parallel.For(0, Blocks(rows), parallel, block =>
                {
                    var (from, to) = BlockRange(block, rows);
                    var loss = Objectives.GradientsOf(objective, output, outputs, before, training.Targets, statistics, from, to, lossWanted);
                    if (lossWanted)
                    {
                        blockLosses![block] = loss;
                    }
                });
                if (output == 0 && round > 0 && onRound is not null)
                {
                    Report(onRound, round - 1, TensorPrimitives.Sum<double>(blockLosses!) / rows, objective, baseScores, trees);
                }

                var tree = grower.Grow(statistics, sampledRows, featureMask);
                Scale(tree.LeafValues, options.LearningRate);
                roundTrees[output] = tree;
                AddToMargins(grower, tree, margins, outputs, output, parallel);
                if (inSample is not null)
                {
                    // Rows the tree was not grown from find their leaf by walking it.
                    Parallel.For(0, Blocks(rows), parallel, block =>
                    {
                        var (from, to) = BlockRange(block, rows);
                        var buffer = new double[training.FeatureCount];
                        for (var row = from; row < to; row++)
                        {
                            if (!inSample[row])
                            {
                                margins[(row * outputs) + output] += tree.Predict(training.RowValues(row, buffer));
                            }
                        }
                    });
                }
            }

            trees.Add(roundTrees);
            var stop = false;
            if (validation is not null && validationMargins is not null)
            {
                var validationRows = validation.Targets.Length;
                Parallel.For(0, Blocks(validationRows), parallel, block =>
                {
                    var (from, to) = BlockRange(block, validationRows);
                    var buffer = new double[validation.FeatureCount];
                    for (var r = from; r < to; r++)
                    {
                        for (var output = 0; output < outputs; output++)
                        {
                            validationMargins[(r * outputs) + output] += roundTrees[output].Predict(validation.RowValues(r, buffer));
                        }
                    }

                    validationLosses![block] = Objectives.LossSum(objective, outputs, validationMargins, validation.Targets, from, to);
                });
                var loss = TensorPrimitives.Sum<double>(validationLosses!) / validationRows;
                if (loss < bestLoss)
                {
                    (bestLoss, bestRound) = (loss, round);
                }
                else if (options.EarlyStoppingRounds is { } patience && round - bestRound >= patience)
                {
                    stop = true;
                }
            }
            if (stop)
            {
                break;
            }
        }

        if (onRound is not null)
        {
            Parallel.For(0, Blocks(rows), parallel, block =>
            {
                var (from, to) = BlockRange(block, rows);
                blockLosses![block] = Objectives.LossSum(objective, outputs, margins, training.Targets, from, to);
            });
            Report(onRound, trees.Count - 1, TensorPrimitives.Sum<double>(blockLosses!) / rows, objective, baseScores, trees);
        }

        var kept = validation is not null && options.EarlyStoppingRounds is not null ? bestRound + 1 : trees.Count;
        return new BoostedTrees(objective, baseScores, [.. trees.Take(kept)], kept - 1);
    }

    /// <summary>
    /// Tells <paramref name="onRound"/> of round <paramref name="round"/> (0-based) and its training loss, with the model
    /// of the trees grown up to it; a round is told once the next round's gradients have brought its loss.
    /// </summary>
    private static void Report(Action<int, double, Func<BoostedTrees>> onRound, int round, double loss, BoostingObjective objective, double[] baseScores, List<DecisionTree[]> trees) =>
        onRound(round, loss, () => new BoostedTrees(objective, baseScores, [.. trees.Take(round + 1)], round));

    /// <summary>Adds each leaf's value to one output's margins of the rows the growth put in it, the leaves shared by the workers.</summary>
    private static void AddToMargins(TreeGrower grower, DecisionTree tree, double[] margins, int outputs, int output, ParallelOptions parallel) =>
        Parallel.For(0, tree.LeafCount, parallel, leaf =>
        {
            var value = tree.LeafValues[leaf];
            foreach (var row in grower.RowsOf(leaf))
            {
                margins[(row * outputs) + output] += value;
            }
        });

    /// <summary>Rows a worker takes at a time in the per-row loops (gradients).</summary>
    private const int RowsPerBlock = 32_768;

    private static int Blocks(int rows) => (rows + RowsPerBlock - 1) / RowsPerBlock;

    private static (int From, int To) BlockRange(int block, int rows) => (block * RowsPerBlock, Math.Min(rows, (block + 1) * RowsPerBlock));

    private static double[] BaseScores(BoostingObjective objective, int outputs, double[] targets)
    {
        var scores = new double[outputs];
        switch (objective)
        {
            case BoostingObjective.SquaredError:
                scores[0] = targets.Average();
                break;
            case BoostingObjective.LogLoss:
                var positive = Math.Clamp(targets.Average(), 1e-6, 1 - 1e-6);
                scores[0] = Math.Log(positive / (1 - positive));
                break;
            default:
                var counts = new double[outputs];
                foreach (var target in targets)
                {
                    counts[(int)target]++;
                }

                for (var k = 0; k < outputs; k++)
                {
                    scores[k] = Math.Log(Math.Max(counts[k], 1) / targets.Length);
                }

                break;
        }

        return scores;
    }

    /// <summary>
    /// Draws <paramref name="chosen"/>.Length of <paramref name="all"/> without replacement (a partial Fisher–Yates
    /// shuffle, <paramref name="all"/> reordered in place), sorted, and marks them in <paramref name="marks"/>;
    /// nothing when <paramref name="chosen"/> is null.
    /// </summary>
    private static void Draw(Random random, int[] all, int[]? chosen, bool[]? marks)
    {
        if (chosen is null || marks is null)
        {
            return;
        }

        for (var i = 0; i < chosen.Length; i++)
        {
            var j = random.Next(i, all.Length);
            (all[i], all[j]) = (all[j], all[i]);
            chosen[i] = all[i];
        }

        Array.Sort(chosen);
        Array.Clear(marks);
        foreach (var index in chosen)
        {
            marks[index] = true;
        }
    }

    private static void Scale(double[] values, double factor)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] *= factor;
        }
    }
}
