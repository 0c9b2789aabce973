namespace MlOps.Learning.Models;

/// <summary>
/// A predictor another library trained and saves in its own form (ML.NET's <c>.zip</c>): the model file keeps its
/// <see cref="Kind"/> and <see cref="Package"/> beside our featurizer, and an <see cref="IPredictorReader"/> of that
/// kind turns them back into a predictor.
/// </summary>
public abstract class PackagedPredictor : Predictor
{
    /// <summary>What the package is, the key its reader is found by (<c>mlnet</c>).</summary>
    public abstract string Kind { get; }

    /// <summary>The predictor's own file, as its library saves it.</summary>
    public abstract ReadOnlyMemory<byte> Package { get; }

    /// <summary>Each feature's importance (non-negative, in featurizer order), as the library reports it.</summary>
    public abstract double[] FeatureImportance();
}
