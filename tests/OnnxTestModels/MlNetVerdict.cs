namespace MlOps.OnnxTestModels;

/// <summary>ML.NET's answer for a row.</summary>
public sealed class MlNetVerdict
{
    public bool PredictedLabel { get; set; }

    public float Probability { get; set; }
}
