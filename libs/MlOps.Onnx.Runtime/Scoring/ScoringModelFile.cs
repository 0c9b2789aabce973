using MlOps.Contracts.Registry;
using MlOps.Learning.MlNet;
using MlOps.Learning.Models;

namespace MlOps.Onnx.Scoring;

/// <summary>
/// A registered version's file as something that scores rows, whatever its <see cref="ModelFormats">format</see>: one
/// of our model files, or an ONNX model read through its descriptor. Dispose what it answers when done with it (an
/// ONNX Runtime session holds native memory; our own models need nothing).
/// </summary>
public static class ScoringModelFile
{
    /// <summary>One of our model files, whichever library trained its predictor (ours or ML.NET).</summary>
    /// <exception cref="ModelFormatException">The file is not a model file, or is damaged.</exception>
    public static Model LoadModel(Stream file) => ModelFile.Load(file, MlNetPredictorReader.All);

    /// <exception cref="ModelFormatException">The file is not what its format says, or the descriptor does not fit it.</exception>
    public static IScoringModel Load(string format, byte[] file, ModelDescriptor? descriptor)
    {
        switch (format)
        {
            case ModelFormats.Ours:
                return LoadModel(new MemoryStream(file, writable: false));
            case ModelFormats.Onnx when descriptor is not null:
                var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
                return OnnxScorer.Load(file, descriptor, errors)
                    ?? throw new ModelFormatException(
                        $"The ONNX file does not load with its descriptor: {string.Join(" ", errors.Select(pair => $"{pair.Key}: {string.Join(" ", pair.Value)}"))}");
            case ModelFormats.Onnx:
                throw new ModelFormatException("An ONNX version needs its descriptor to be read; the registry gave none.");
            case ModelFormats.MlNet when descriptor is not null:
                var faults = new Dictionary<string, string[]>(StringComparer.Ordinal);
                return MlNetScorer.Load(file, descriptor, faults)
                    ?? throw new ModelFormatException(
                        $"The ML.NET file does not load with its descriptor: {string.Join(" ", faults.Select(pair => $"{pair.Key}: {string.Join(" ", pair.Value)}"))}");
            case ModelFormats.MlNet:
                throw new ModelFormatException("An ML.NET version made elsewhere needs its descriptor to be read; the registry gave none.");
            default:
                throw new ModelFormatException($"'{format}' is not a model format this platform reads ({ModelFormats.Ours}, {ModelFormats.Onnx}, {ModelFormats.MlNet}).");
        }
    }
}
