using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;
using MlOps.Learning.Algorithms;
using MlOps.Learning.Features;
using MlOps.Learning.Training;

namespace MlOps.Learning.MlNet;

/// <summary>
/// <c>fasttree</c>: ML.NET's FastTree (MART gradient boosting, <c>Microsoft.ML.FastTree</c>). Multiclass is one
/// binary FastTree a class (ML.NET's one-versus-all, probabilities normalized). Missing numbers take the training mean;
/// categories are one-hot, text hashed.
/// </summary>
public sealed class FastTreeAlgorithm : MlNetAlgorithm
{
    public FastTreeAlgorithm()
        : base("fasttree",
        [
            new("rounds", HyperparameterType.WholeNumber, "100", "Boosted trees (a class, for multiclass).", 1, 10_000),
            new("numLeaves", HyperparameterType.WholeNumber, "20", "The most leaves a tree grows to.", 2, 131_072),
            new("learningRate", HyperparameterType.Number, "0.2", "Shrinkage of each tree's leaf values.", 1e-6, 1),
            new("minChildSamples", HyperparameterType.WholeNumber, "10", "Rows a leaf keeps at least.", 1, 1_000_000),
            new("maxBins", HyperparameterType.WholeNumber, "255", "Value bins a numeric feature is quantized into.", 2, 1_024),
            new("featureFraction", HyperparameterType.Number, "1", "Share of features each tree may use.", 0.01, 1),
            new("earlyStoppingRounds", HyperparameterType.WholeNumber, "0",
                "Stop when the loss on 10% of the training rows held out has got worse this many rounds in a row (FastTree's consecutive-loss rule); 0 for never. Binary and regression.", 0, 10_000),
            new("maxCategories", HyperparameterType.WholeNumber, "100", "Categories kept (one-hot) per categorical column; the rest share 'other'.", 1, 1_000),
            new("textHashBits", HyperparameterType.WholeNumber, "12", "Text n-grams are hashed into 2^bits buckets.", 4, 18),
        ])
    {
    }

    protected override FeaturizerOptions Featurization(HyperparameterValues settings) => new()
    {
        Impute = ImputeStrategy.Mean,
        Standardize = false,
        MaxCategories = settings.WholeNumber("maxCategories"),
        TextHashBits = settings.WholeNumber("textHashBits"),
    };

    /// <summary>ML.NET's one-versus-all takes no validation rows, so multiclass FastTree trains every round on every row.</summary>
    protected override int EarlyStoppingRounds(HyperparameterValues settings, LearningTask task) =>
        task == LearningTask.MulticlassClassification ? 0 : settings.WholeNumber("earlyStoppingRounds");

    protected override Fit Trainer(MLContext ml, LearningTask task, HyperparameterValues settings, int? threads, int seed)
    {
        switch (task)
        {
            case LearningTask.BinaryClassification:
            {
                var trainer = ml.BinaryClassification.Trainers.FastTree(Configure(new FastTreeBinaryTrainer.Options(), task, settings, threads, seed, earlyStopping: true));
                return (training, heldOut) => heldOut is null ? trainer.Fit(training) : trainer.Fit(training, heldOut);
            }

            case LearningTask.MulticlassClassification:
            {
                var perClass = Configure(new FastTreeBinaryTrainer.Options(), task, settings, threads, seed, earlyStopping: false);
                var trainer = ml.MulticlassClassification.Trainers.OneVersusAll(
                    ml.BinaryClassification.Trainers.FastTree(perClass), TrainingRow.ClassColumn);
                return (training, _) => trainer.Fit(training);
            }

            default:
            {
                var options = Configure(new FastTreeRegressionTrainer.Options(), task, settings, threads, seed, earlyStopping: true);
                options.EarlyStoppingMetric = EarlyStoppingMetric.L2Norm;
                var trainer = ml.Regression.Trainers.FastTree(options);
                return (training, heldOut) => heldOut is null ? trainer.Fit(training) : trainer.Fit(training, heldOut);
            }
        }
    }

    private static TOptions Configure<TOptions>(TOptions options, LearningTask task, HyperparameterValues settings, int? threads, int seed, bool earlyStopping)
        where TOptions : BoostedTreeOptions
    {
        options.LabelColumnName = LabelColumn(task);
        options.NumberOfTrees = settings.WholeNumber("rounds");
        options.NumberOfLeaves = settings.WholeNumber("numLeaves");
        options.LearningRate = settings.Number("learningRate");
        options.MinimumExampleCountPerLeaf = settings.WholeNumber("minChildSamples");
        options.MaximumBinCountPerFeature = settings.WholeNumber("maxBins");
        options.FeatureFraction = settings.Number("featureFraction");
        options.NumberOfThreads = threads;
        options.Seed = seed;
        if (earlyStopping && settings.WholeNumber("earlyStoppingRounds") is > 0 and var patience)
        {
            options.EarlyStoppingRule = new ConsecutiveGeneralityLossRule(patience);
        }

        return options;
    }
}
