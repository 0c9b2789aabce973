namespace MlOps.Learning.MlNet;

/// <summary>What an ML.NET binary classifier answers: its calibrated probability of the positive class.</summary>
public sealed class BinaryOutput
{
    public float Probability { get; set; }
}
