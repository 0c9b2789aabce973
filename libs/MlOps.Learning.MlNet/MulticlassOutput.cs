namespace MlOps.Learning.MlNet;

/// <summary>What an ML.NET multiclass classifier answers: each class's probability, in key order.</summary>
public sealed class MulticlassOutput
{
    public float[] Score { get; set; } = [];
}
