using Microsoft.ML;
using Microsoft.ML.Trainers.LightGbm;
using MlOps.Learning.Algorithms;
using MlOps.Learning.Features;
using MlOps.Learning.Training;

namespace MlOps.Learning.MlNet;

/// <summary>
/// <c>lightgbm</c>: LightGBM 4.6 through ML.NET (<c>Microsoft.ML.LightGbm</c>). Missing numbers stay missing
/// (LightGBM learns which way they go); categories are one-hot, text hashed. LightGBM's OpenMP threads need
/// <c>OMP_WAIT_POLICY=PASSIVE</c> in the trainer's environment on small machines (docs/training.md).
/// </summary>
public sealed class LightGbmAlgorithm : MlNetAlgorithm
{
    public LightGbmAlgorithm()
        : base("lightgbm",
        [
            new("rounds", HyperparameterType.WholeNumber, "100", "Boosting rounds (trees a class for multiclass).", 1, 10_000),
            new("numLeaves", HyperparameterType.WholeNumber, "31", "The most leaves a tree grows to.", 2, 131_072),
            new("learningRate", HyperparameterType.Number, "0.1", "Shrinkage of each tree's leaf values.", 1e-6, 1),
            new("minChildSamples", HyperparameterType.WholeNumber, "20", "Rows a leaf keeps at least.", 1, 1_000_000),
            new("maxBins", HyperparameterType.WholeNumber, "255", "Value bins a numeric feature is quantized into.", 2, 1_024),
            new("l2", HyperparameterType.Number, "0", "λ: L2 penalty on leaf values.", 0, 1e6),
            new("l1", HyperparameterType.Number, "0", "α: L1 penalty on leaf values.", 0, 1e6),
            new("featureFraction", HyperparameterType.Number, "1", "Share of features each tree may use.", 0.01, 1),
            new("earlyStoppingRounds", HyperparameterType.WholeNumber, "0",
                "Stop when the loss on 10% of the training rows held out has not improved for this many rounds; 0 for never.", 0, 10_000),
            new("maxCategories", HyperparameterType.WholeNumber, "100", "Categories kept (one-hot) per categorical column; the rest share 'other'.", 1, 1_000),
            new("textHashBits", HyperparameterType.WholeNumber, "12", "Text n-grams are hashed into 2^bits buckets.", 4, 18),
        ])
    {
    }

    protected override FeaturizerOptions Featurization(HyperparameterValues settings) => new()
    {
        Impute = ImputeStrategy.None,
        Standardize = false,
        MaxCategories = settings.WholeNumber("maxCategories"),
        TextHashBits = settings.WholeNumber("textHashBits"),
    };

    protected override int EarlyStoppingRounds(HyperparameterValues settings, LearningTask task) => settings.WholeNumber("earlyStoppingRounds");

    protected override Fit Trainer(MLContext ml, LearningTask task, HyperparameterValues settings, int? threads, int seed)
    {
        switch (task)
        {
            case LearningTask.BinaryClassification:
            {
                var trainer = ml.BinaryClassification.Trainers.LightGbm(Configure(new LightGbmBinaryTrainer.Options(), task, settings, threads, seed));
                return (training, heldOut) => heldOut is null ? trainer.Fit(training) : trainer.Fit(training, heldOut);
            }

            case LearningTask.MulticlassClassification:
            {
                var trainer = ml.MulticlassClassification.Trainers.LightGbm(Configure(new LightGbmMulticlassTrainer.Options(), task, settings, threads, seed));
                return (training, heldOut) => heldOut is null ? trainer.Fit(training) : trainer.Fit(training, heldOut);
            }

            default:
            {
                var trainer = ml.Regression.Trainers.LightGbm(Configure(new LightGbmRegressionTrainer.Options(), task, settings, threads, seed));
                return (training, heldOut) => heldOut is null ? trainer.Fit(training) : trainer.Fit(training, heldOut);
            }
        }
    }

    private static TOptions Configure<TOptions, TOutput, TTransformer, TModel>(
        LightGbmTrainerBase<TOptions, TOutput, TTransformer, TModel>.OptionsBase options,
        LearningTask task,
        HyperparameterValues settings,
        int? threads,
        int seed)
        where TOptions : LightGbmTrainerBase<TOptions, TOutput, TTransformer, TModel>.OptionsBase, new()
        where TTransformer : ISingleFeaturePredictionTransformer<TModel>
        where TModel : class
    {
        options.LabelColumnName = LabelColumn(task);
        options.NumberOfIterations = settings.WholeNumber("rounds");
        options.NumberOfLeaves = settings.WholeNumber("numLeaves");
        options.LearningRate = settings.Number("learningRate");
        options.MinimumExampleCountPerLeaf = settings.WholeNumber("minChildSamples");
        options.MaximumBinCountPerFeature = settings.WholeNumber("maxBins");
        options.EarlyStoppingRound = settings.WholeNumber("earlyStoppingRounds");
        options.NumberOfThreads = threads;
        options.Seed = seed;
        options.Silent = true;
        options.Booster = new GradientBooster.Options
        {
            L2Regularization = settings.Number("l2"),
            L1Regularization = settings.Number("l1"),
            FeatureFraction = settings.Number("featureFraction"),
        };
        return (TOptions)options;
    }
}
