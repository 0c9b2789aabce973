using MlOps.Learning.Models;

namespace MlOps.Learning.MlNet;

/// <summary>Reads the ML.NET predictors of model files (<see cref="ModelFile.Load(Stream, IReadOnlyList{IPredictorReader}?)"/>).</summary>
public sealed class MlNetPredictorReader : IPredictorReader
{
    public static MlNetPredictorReader Instance { get; } = new();

    /// <summary>The readers a model file of this platform may need.</summary>
    public static IReadOnlyList<IPredictorReader> All { get; } = [Instance];

    public string Kind => MlNetPredictor.PackageKind;

    public Predictor Read(ReadOnlyMemory<byte> package, int width, int outputs)
    {
        var predictor = MlNetPredictor.Load(package, width);
        return predictor.Outputs == outputs
            ? predictor
            : throw new ModelFormatException($"The packaged ML.NET model has {predictor.Outputs} outputs; the model file says {outputs}.");
    }
}
