using MlOps.Learning.Data;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Trees;

namespace MlOps.Learning.Training;

/// <summary>
/// Trains gradient-boosted trees (<see cref="GradientBoosting"/>) and random forests (<see cref="RandomForest"/>) on a
/// table. Numeric and boolean columns are used as they are, missing values left missing (each split learns where they
/// go); a categorical column becomes one feature of codes (its kept values, then "other" for the rest, unseen and
/// missing ones), which trees split natively into two sets of categories; a text column's hashed n-grams (TF-IDF) are
/// sparse features, of which the trees take the most frequent buckets (<see cref="TreeInputs"/>), stored and
/// histogrammed by their non-zero entries.
/// </summary>
public static class TreeTrainer
{
    public const string GradientBoostedTrees = "gbdt";
    public const string RandomForestAlgorithm = "random-forest";

    /// <summary>
    /// Fits the featurizer on <paramref name="table"/>'s other columns and the trees on <paramref name="target"/>. The
    /// task follows the target unless given. With early stopping and no <paramref name="validation"/> table, a seeded
    /// <see cref="TreeTrainingOptions.ValidationFraction"/> of the rows is held out for it. <paramref name="onIteration"/>
    /// hears of every boosting round (a forest reports once, when done).
    /// </summary>
    public static Model Train(
        string algorithm,
        DataTable table,
        string target,
        LearningTask? task = null,
        TreeTrainingOptions? options = null,
        DataTable? validation = null,
        Action<TrainingIteration>? onIteration = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new TreeTrainingOptions();
        options.Validate();
        var forest = algorithm switch
        {
            GradientBoostedTrees => false,
            RandomForestAlgorithm => true,
            _ => throw new ArgumentException($"Unknown tree algorithm '{algorithm}'; known: {GradientBoostedTrees}, {RandomForestAlgorithm}.", nameof(algorithm)),
        };

        var (encoding, inputs) = TargetEncoding.Prepare(table, target, task);

        var featurizer = Featurizer.Fit(inputs, new FeaturizerOptions
        {
            Impute = ImputeStrategy.None,
            Standardize = false,
            MaxCategories = options.MaxCategories,
            CategoricalCodes = true,
            TextHashBits = options.TextHashBits,
        });
        var objective = encoding.Task switch
        {
            LearningTask.Regression => BoostingObjective.SquaredError,
            LearningTask.BinaryClassification => BoostingObjective.LogLoss,
            _ => BoostingObjective.Softmax,
        };
        var targets = encoding.Task == LearningTask.Regression ? encoding.Values : Array.ConvertAll(encoding.Codes, code => (double)code);
        var (trees, data) = TreeInputs.Fit(featurizer, inputs, targets, options.MaxTextFeatures, options.MinTextDocuments);
        var maxHistograms = HistogramsWithinBudget(trees.FeatureCount, forest ? options.Threads ?? Environment.ProcessorCount : 1);

        Model Build(TreeEnsemblePredictor predictor, int trainingRows, int iterations, string stopReason) => new(
            algorithm,
            encoding.Task,
            target,
            encoding.Classes,
            featurizer,
            trees.ToModelFeatures(predictor),
            new TrainingMetadata(ModelFile.LibraryVersion, options.ToParameters(forest), options.Seed, options.DataSha256, trainingRows, iterations, stopReason));

        if (forest)
        {
            var tree = ForestOptions.DefaultTree;
            var forestOptions = new ForestOptions(
                Trees: options.Rounds,
                Tree: tree with
                {
                    NumLeaves = options.NumLeaves ?? tree.NumLeaves,
                    MaxDepth = options.MaxDepth,
                    Split = SplitOptionsOf(options, tree.SplitOrDefault),
                    MaxHistograms = maxHistograms,
                },
                MaxBins: options.MaxBins,
                FeaturesPerSplit: options.FeatureFraction is { } share ? Math.Max(1, (int)Math.Round(share * trees.FeatureCount)) : null,
                Seed: options.Seed,
                Threads: options.Threads);
            cancellationToken.ThrowIfCancellationRequested();
            var grown = RandomForest.Train(data, objective, encoding.Classes.Length, forestOptions);
            var trained = Build(grown, targets.Length, options.Rounds, "all trees grown");
            onIteration?.Invoke(new TrainingIteration(options.Rounds, TrainingLoss(grown, objective, data), () => trained));
            return trained;
        }

        var (training, held) = validation is not null
            ? (data, Validation(validation, target, trees, encoding))
            : options.EarlyStoppingRounds is not null ? HoldOut(data, options) : (data, null);
        var boostingOptions = new BoostingOptions(
            Rounds: options.Rounds,
            LearningRate: options.LearningRate,
            Tree: new TreeOptions(options.NumLeaves ?? 31, options.MaxDepth, SplitOptionsOf(options, new SplitOptions()), MaxHistograms: maxHistograms),
            MaxBins: options.MaxBins,
            EarlyStoppingRounds: options.EarlyStoppingRounds,
            Seed: options.Seed,
            BaggingFraction: options.BaggingFraction,
            FeatureFraction: options.FeatureFraction ?? 1,
            Threads: options.Threads);
        Action<int, double, Func<BoostedTrees>>? onRound = onIteration is null
            ? null
            : (round, loss, snapshot) => onIteration(new TrainingIteration(
                round + 1, loss, () => Build(TreeEnsemblePredictor.From(snapshot(), trees.FeatureCount), training.Targets.Length, round + 1, "in progress")));
        var boosted = GradientBoosting.Train(training, objective, encoding.Classes.Length, boostingOptions, held, onRound, cancellationToken);
        var kept = boosted.Trees.Length;
        var reason = options.EarlyStoppingRounds is { } patience && kept < options.Rounds
            ? $"early stopping: no better validation loss in {patience} rounds after round {kept}"
            : $"{kept} rounds";
        return Build(TreeEnsemblePredictor.From(boosted, trees.FeatureCount), training.Targets.Length, kept, reason);
    }

    /// <summary>
    /// How many histograms each grower may keep (features × 4 KiB each; a forest runs a grower a worker) so that all
    /// of them stay within <see cref="HistogramBudgetBytes"/>: trees with more leaves than that give up the histograms
    /// of the leaves least likely to split, and rebuild from rows when they do.
    /// </summary>
    internal static int HistogramsWithinBudget(int features, int growers)
    {
        var bytesEach = (long)features * Histogram.SlotsPerFeature * Histogram.Lanes * sizeof(double);
        return (int)Math.Clamp(HistogramBudgetBytes / growers / bytesEach, 2, TreeTrainingOptions.MaxNumLeaves);
    }

    /// <summary>The most memory a training's histograms take, all growers together.</summary>
    public const long HistogramBudgetBytes = 1L << 30;

    /// <summary>The forest's mean loss over its training rows (a forest has no rounds to report it after).</summary>
    private static double TrainingLoss(TreeEnsemblePredictor forest, BoostingObjective objective, BoostingData data)
    {
        var outputs = forest.Outputs;
        var margins = new double[data.Targets.Length * outputs];
        Parallel.For(0, data.Targets.Length, () => new double[data.FeatureCount], (row, _, buffer) =>
        {
            forest.MarginsOfRow(data.RowValues(row, buffer), margins.AsSpan(row * outputs, outputs));
            return buffer;
        }, _ => { });
        return Objectives.Loss(objective, outputs, margins, data.Targets);
    }

    private static SplitOptions SplitOptionsOf(TreeTrainingOptions options, SplitOptions defaults) => new(
        options.L2 ?? defaults.L2,
        options.L1,
        options.MinChildSamples ?? defaults.MinChildSamples,
        options.MinChildWeight ?? defaults.MinChildWeight,
        options.MinSplitGain);

    /// <summary>A validation table featurized as the training rows, its rows without a target or with an unknown class left out.</summary>
    private static BoostingData Validation(DataTable validation, string target, TreeInputs trees, TargetEncoding encoding)
    {
        var classes = encoding.Classes;
        var labels = validation[target];
        var keep = new List<int>(validation.RowCount);
        var targets = new List<double>(validation.RowCount);
        for (var row = 0; row < validation.RowCount; row++)
        {
            if (labels.IsMissing(row))
            {
                continue;
            }

            if (encoding.Task == LearningTask.Regression)
            {
                keep.Add(row);
                targets.Add(((NumericColumn)labels).Values[row]);
            }
            else if (Array.IndexOf(classes, TargetEncoding.LabelAt(labels, row)) is var code and >= 0)
            {
                keep.Add(row);
                targets.Add(code);
            }
        }

        return trees.Apply(validation.Take(keep.ToArray()), [.. targets]);
    }

    /// <summary>A seeded share of the rows held out as the validation set early stopping watches.</summary>
    private static (BoostingData Training, BoostingData Validation) HoldOut(BoostingData data, TreeTrainingOptions options)
    {
        var (kept, held) = EarlyStoppingHoldOut.Split(data.Targets.Length, options.ValidationFraction, options.Seed);
        return (data.Take(kept), data.Take(held));
    }
}
