namespace MlOps.Learning.Training;

/// <summary>The task names of model files and of the platform's API: binary, multiclass, regression.</summary>
public static class TaskNames
{
    public const string Binary = "binary";
    public const string Multiclass = "multiclass";
    public const string Regression = "regression";

    public static string Of(LearningTask task) => task switch
    {
        LearningTask.BinaryClassification => Binary,
        LearningTask.MulticlassClassification => Multiclass,
        _ => Regression,
    };

    public static bool TryParse(string? name, out LearningTask task)
    {
        (var known, task) = name switch
        {
            Binary => (true, LearningTask.BinaryClassification),
            Multiclass => (true, LearningTask.MulticlassClassification),
            Regression => (true, LearningTask.Regression),
            _ => (false, default),
        };
        return known;
    }
}
