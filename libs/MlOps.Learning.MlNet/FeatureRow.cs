using Microsoft.ML.Data;

namespace MlOps.Learning.MlNet;

/// <summary>A featurized row as a trained ML.NET predictor scores it. Public because ML.NET maps rows by reflection.</summary>
public sealed class FeatureRow
{
    public const string FeaturesColumn = "Features";

    public VBuffer<float> Features { get; set; }
}
