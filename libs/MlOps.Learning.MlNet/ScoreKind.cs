namespace MlOps.Learning.MlNet;

/// <summary>Which answer an ML.NET predictor gives, read from its output columns.</summary>
internal enum ScoreKind
{
    Binary,
    Multiclass,
    Regression,
}
