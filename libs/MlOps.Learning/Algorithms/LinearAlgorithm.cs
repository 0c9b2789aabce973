using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.Learning.Optimization;
using MlOps.Learning.Training;

namespace MlOps.Learning.Algorithms;

/// <summary>Logistic regression and ridge linear regression from the learning library, with their settings.</summary>
public sealed class LinearAlgorithm(string name, IReadOnlyList<LearningTask> tasks, bool hasSolver) : ITrainingAlgorithm
{
    private static readonly Hyperparameter[] Shared =
    [
        new("l2", HyperparameterType.Number, "1", "L2 penalty λ on the weights (scikit-learn's 1/C, or Ridge's alpha).", 0, 1e6),
        new("maxIterations", HyperparameterType.WholeNumber, "1000", "The most L-BFGS iterations.", 1, 100_000),
        new("tolerance", HyperparameterType.Number, "1E-07", "Stop when the objective's mean relative improvement falls below this.", 0, 1),
        new("historySize", HyperparameterType.WholeNumber, "10", "L-BFGS correction pairs kept.", 1, 100),
        new("standardize", HyperparameterType.Boolean, "true", "Scale numeric features to zero mean and unit variance."),
        new("impute", HyperparameterType.Choice, "mean", "How missing numbers are filled in.", Choices: ["mean", "median"]),
        new("maxCategories", HyperparameterType.WholeNumber, "100", "Categories kept per categorical column; the rest share 'other'.", 1, 10_000),
        new("textHashBits", HyperparameterType.WholeNumber, "16", "Text n-grams are hashed into 2^bits features.", 8, 24),
    ];

    public static LinearAlgorithm LogisticRegression { get; } = new(
        LinearTrainer.LogisticRegression, [LearningTask.BinaryClassification, LearningTask.MulticlassClassification], hasSolver: false);

    public static LinearAlgorithm LinearRegression { get; } = new(
        LinearTrainer.LinearRegression, [LearningTask.Regression], hasSolver: true);

    public string Name { get; } = name;

    public IReadOnlyList<LearningTask> Tasks { get; } = tasks;

    public IReadOnlyList<Hyperparameter> Hyperparameters { get; } = hasSolver
        ? [.. Shared, new("solver", HyperparameterType.Choice, "auto", "auto: exact Cholesky for dense features up to 2048 wide, else L-BFGS.", Choices: ["auto", "lbfgs", "cholesky"])]
        : Shared;

    public Model Train(TrainingInput input, Action<TrainingIteration> onIteration, CancellationToken cancellationToken)
    {
        var settings = input.Hyperparameters;
        var options = new LinearTrainingOptions
        {
            L2 = settings.Number("l2"),
            Solver = settings.All.TryGetValue("solver", out var solver) ? Enum.Parse<LinearSolver>(solver, ignoreCase: true) : LinearSolver.Auto,
            Lbfgs = new LbfgsOptions
            {
                MaxIterations = settings.WholeNumber("maxIterations"),
                Tolerance = settings.Number("tolerance"),
                HistorySize = settings.WholeNumber("historySize"),
            },
            Featurizer = new FeaturizerOptions
            {
                Standardize = settings.Boolean("standardize"),
                Impute = Enum.Parse<ImputeStrategy>(settings.Choice("impute"), ignoreCase: true),
                MaxCategories = settings.WholeNumber("maxCategories"),
                TextHashBits = settings.WholeNumber("textHashBits"),
            },
            Seed = input.Seed,
            DataSha256 = input.DatasetSha256,
        };
        return LinearTrainer.Train(input.Rows, input.Target, input.Task, options, onIteration, cancellationToken);
    }
}
