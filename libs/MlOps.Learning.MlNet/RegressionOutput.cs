namespace MlOps.Learning.MlNet;

/// <summary>What an ML.NET regression answers.</summary>
public sealed class RegressionOutput
{
    public float Score { get; set; }
}
