using MlOps.Learning.Models;
using MlOps.Learning.Training;

namespace MlOps.Learning.Algorithms;

/// <summary>
/// Gradient-boosted trees (<c>gbdt</c>) and random forests (<c>random-forest</c>) from the learning library, under the
/// hyperparameter names of the model file. Zero for <c>maxDepth</c> (and <c>earlyStoppingRounds</c>) means none, as in
/// XGBoost. A job trains on every core the trainer has unless <see cref="TrainingInput.Threads"/> says otherwise.
/// </summary>
public sealed class TreeAlgorithm : ITrainingAlgorithm
{
    private readonly bool _forest;

    private TreeAlgorithm(string name, bool forest)
    {
        Name = name;
        _forest = forest;
        Hyperparameter[] shared =
        [
            new("rounds", HyperparameterType.WholeNumber, "100", forest ? "Trees in the forest." : "Boosting rounds (trees a class for multiclass).", 1, 10_000),
            new("numLeaves", HyperparameterType.WholeNumber, forest ? "255" : "31", "The most leaves a tree grows to (leaf-wise).", 2, TreeTrainingOptions.MaxNumLeaves),
            new("maxDepth", HyperparameterType.WholeNumber, "0", "The deepest a tree may grow; 0 for no limit but numLeaves.", 0, 64),
            new("maxBins", HyperparameterType.WholeNumber, "255", "Value bins a numeric feature is quantized into (plus one for missing values).", 2, 255),
            new("l2", HyperparameterType.Number, forest ? "0" : "1", "λ: L2 penalty on leaf values.", 0, 1e6),
            new("l1", HyperparameterType.Number, "0", "α: L1 penalty on leaf values.", 0, 1e6),
            new("minChildSamples", HyperparameterType.WholeNumber, forest ? "1" : "20", "Rows a leaf keeps at least.", 1, 1_000_000),
            new("minChildWeight", HyperparameterType.Number, forest ? "0" : "0.001", "Hessian sum a leaf keeps at least.", 0, 1e6),
            new("minSplitGain", HyperparameterType.Number, "0", "A split must gain more than this.", 0, 1e6),
            new("featureFraction", HyperparameterType.Number, "0", forest
                ? "Share of features each split draws from; 0 for scikit-learn's default (√n for classification, all for regression)."
                : "Share of features each tree may use; 0 for all.", 0, 1),
            new("maxCategories", HyperparameterType.WholeNumber, "100", "Categories kept per categorical column, each split on natively; the rest share 'other'.", 1, 254),
            new("textHashBits", HyperparameterType.WholeNumber, "16", "Text n-grams are hashed into 2^bits buckets.", 4, 20),
            new("maxTextFeatures", HyperparameterType.WholeNumber, "500", "Hashed-text buckets the trees take at most (the most frequent).", 0, 10_000),
            new("minTextDocuments", HyperparameterType.WholeNumber, "5", "Rows a hashed-text bucket must appear in to be taken.", 1, 1_000_000),
        ];
        Hyperparameters = forest
            ? shared
            :
            [
                .. shared,
                new("learningRate", HyperparameterType.Number, "0.1", "Shrinkage of each tree's leaf values.", 1e-6, 1),
                new("baggingFraction", HyperparameterType.Number, "1", "Share of rows each tree is grown from.", 0.01, 1),
                new("earlyStoppingRounds", HyperparameterType.WholeNumber, "0",
                    "Stop when the loss on 10% of the training rows held out has not improved for this many rounds, keeping the best; 0 for never.", 0, 10_000),
            ];
    }

    public static TreeAlgorithm GradientBoosting { get; } = new(TreeTrainer.GradientBoostedTrees, forest: false);

    public static TreeAlgorithm RandomForest { get; } = new(TreeTrainer.RandomForestAlgorithm, forest: true);

    public string Name { get; }

    public IReadOnlyList<LearningTask> Tasks { get; } = [LearningTask.BinaryClassification, LearningTask.MulticlassClassification, LearningTask.Regression];

    public IReadOnlyList<Hyperparameter> Hyperparameters { get; }

    public Model Train(TrainingInput input, Action<TrainingIteration> onIteration, CancellationToken cancellationToken)
    {
        var settings = input.Hyperparameters;
        var options = new TreeTrainingOptions
        {
            Rounds = settings.WholeNumber("rounds"),
            NumLeaves = settings.WholeNumber("numLeaves"),
            MaxDepth = settings.WholeNumber("maxDepth") is > 0 and var depth ? depth : null,
            MaxBins = settings.WholeNumber("maxBins"),
            L2 = settings.Number("l2"),
            L1 = settings.Number("l1"),
            MinChildSamples = settings.WholeNumber("minChildSamples"),
            MinChildWeight = settings.Number("minChildWeight"),
            MinSplitGain = settings.Number("minSplitGain"),
            FeatureFraction = settings.Number("featureFraction") is > 0 and var share ? share : null,
            MaxCategories = settings.WholeNumber("maxCategories"),
            TextHashBits = settings.WholeNumber("textHashBits"),
            MaxTextFeatures = settings.WholeNumber("maxTextFeatures"),
            MinTextDocuments = settings.WholeNumber("minTextDocuments"),
            Seed = input.Seed,
            DataSha256 = input.DatasetSha256,
            Threads = input.Threads,
        };
        if (!_forest)
        {
            options = options with
            {
                LearningRate = settings.Number("learningRate"),
                BaggingFraction = settings.Number("baggingFraction"),
                EarlyStoppingRounds = settings.WholeNumber("earlyStoppingRounds") is > 0 and var patience ? patience : null,
            };
        }

        return TreeTrainer.Train(Name, input.Rows, input.Target, input.Task, options, validation: null, onIteration, cancellationToken);
    }
}
