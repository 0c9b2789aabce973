namespace MlOps.Learning.Models;

/// <summary>Loads the <see cref="PackagedPredictor"/>s of one kind from a model file.</summary>
public interface IPredictorReader
{
    string Kind { get; }

    /// <exception cref="ModelFormatException">The package is not a predictor of this kind, or not of this width and outputs.</exception>
    Predictor Read(ReadOnlyMemory<byte> package, int width, int outputs);
}
