namespace MlOps.Learning.Training;

/// <summary>What a model predicts.</summary>
public enum LearningTask
{
    /// <summary>One of two classes, with the probability of each.</summary>
    BinaryClassification,

    /// <summary>One of three or more classes, with the probability of each.</summary>
    MulticlassClassification,

    /// <summary>A number.</summary>
    Regression,
}
