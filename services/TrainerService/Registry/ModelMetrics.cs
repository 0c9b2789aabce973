using MlOps.Learning.Training;

namespace MlOps.TrainerService.Registry;

/// <summary>Which metrics each task reports (the learning library's evaluator names), which is primary, and which way is better.</summary>
public static class ModelMetrics
{
    private static readonly string[] Binary = ["auc", "accuracy", "logLoss", "f1", "precision", "recall"];
    private static readonly string[] Multiclass = ["f1", "accuracy", "logLoss", "weightedF1"];
    private static readonly string[] Regression = ["rmse", "mae", "r2"];

    /// <summary>The task's metrics, the default primary one first: AUC, macro-F1 or RMSE.</summary>
    public static IReadOnlyList<string> For(LearningTask task) => task switch
    {
        LearningTask.BinaryClassification => Binary,
        LearningTask.MulticlassClassification => Multiclass,
        _ => Regression,
    };

    public static string DefaultPrimary(LearningTask task) => For(task)[0];

    public static bool HigherIsBetter(string metric) => metric is not ("rmse" or "mae" or "logLoss");

    /// <summary>Whether <paramref name="candidate"/> is strictly better than <paramref name="incumbent"/> on <paramref name="metric"/>.</summary>
    public static bool Beats(string metric, double candidate, double incumbent) =>
        HigherIsBetter(metric) ? candidate > incumbent : candidate < incumbent;
}
