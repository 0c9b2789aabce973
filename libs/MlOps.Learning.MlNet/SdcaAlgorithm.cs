using Microsoft.ML;
using Microsoft.ML.Trainers;
using MlOps.Learning.Algorithms;
using MlOps.Learning.Features;
using MlOps.Learning.Training;

namespace MlOps.Learning.MlNet;

/// <summary>
/// <c>sdca</c>: ML.NET's stochastic dual coordinate ascent for linear models: logistic regression (binary), maximum
/// entropy (multiclass) and least squares (regression). Numbers are imputed with the mean and standardized, categories
/// one-hot, text hashed and TF-IDF weighted, as for <c>logistic-regression</c>. Zero for a setting means ML.NET's
/// choice from the data.
/// </summary>
public sealed class SdcaAlgorithm : MlNetAlgorithm
{
    public SdcaAlgorithm()
        : base("sdca",
        [
            new("l2", HyperparameterType.Number, "0", "L2 penalty; 0 for ML.NET's choice from the data.", 0, 1e6),
            new("l1", HyperparameterType.Number, "0", "L1 penalty (soft threshold); 0 for ML.NET's choice from the data.", 0, 1e6),
            new("maxIterations", HyperparameterType.WholeNumber, "0", "Passes over the data at most; 0 for ML.NET's choice.", 0, 10_000),
            new("convergenceTolerance", HyperparameterType.Number, "0.1", "Stop when the duality gap falls below this.", 1e-9, 1),
            new("maxCategories", HyperparameterType.WholeNumber, "100", "Categories kept (one-hot) per categorical column; the rest share 'other'.", 1, 1_000),
            new("textHashBits", HyperparameterType.WholeNumber, "16", "Text n-grams are hashed into 2^bits buckets.", 4, 20),
        ])
    {
    }

    protected override FeaturizerOptions Featurization(HyperparameterValues settings) => new()
    {
        MaxCategories = settings.WholeNumber("maxCategories"),
        TextHashBits = settings.WholeNumber("textHashBits"),
    };

    protected override Fit Trainer(MLContext ml, LearningTask task, HyperparameterValues settings, int? threads, int seed)
    {
        float? Setting(string name) => settings.Number(name) is > 0 and var value ? (float)value : null;
        var l2 = Setting("l2");
        var l1 = Setting("l1");
        var iterations = settings.WholeNumber("maxIterations") is > 0 and var passes ? passes : (int?)null;
        var tolerance = (float)settings.Number("convergenceTolerance");
        IEstimator<ITransformer> trainer = task switch
        {
            LearningTask.BinaryClassification => ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = LabelColumn(task), L2Regularization = l2, L1Regularization = l1, MaximumNumberOfIterations = iterations,
                ConvergenceTolerance = tolerance, NumberOfThreads = threads,
            }),
            LearningTask.MulticlassClassification => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = LabelColumn(task), L2Regularization = l2, L1Regularization = l1, MaximumNumberOfIterations = iterations,
                ConvergenceTolerance = tolerance, NumberOfThreads = threads,
            }),
            _ => ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
            {
                LabelColumnName = LabelColumn(task), L2Regularization = l2, L1Regularization = l1, MaximumNumberOfIterations = iterations,
                ConvergenceTolerance = tolerance, NumberOfThreads = threads,
            }),
        };
        return (training, _) => trainer.Fit(training);
    }
}
