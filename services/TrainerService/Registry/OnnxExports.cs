using MlOps.Artifacts;
using MlOps.Contracts.Registry;
using MlOps.Onnx.Scoring;
using MlOps.Learning.Models;
using MlOps.Onnx.Export;

namespace MlOps.TrainerService.Registry;

/// <summary>
/// The ONNX form of a model version: the registered file itself for an ONNX version; else exported from its model file
/// on the first request, then kept in the artifact store beside it and served from there. The key names the model file's hash and the exporter's format, so a version
/// exported once is never exported again, and a new exporter makes new files rather than serving stale ones.
/// </summary>
public sealed class OnnxExports(IArtifactStore store)
{
    public const string ContentType = "application/onnx";

    /// <summary>Changes whenever the exporter would write a different graph for the same model.</summary>
    public const string FormatVersion = "1";

    /// <summary>The ONNX file, or why this version has none (hashed text).</summary>
    public async Task<(Stream? File, string? Refusal)> OpenAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (version.Format == ModelFormats.Onnx)
        {
            return (await store.OpenReadAsync(version.ArtifactKey, cancellationToken), null);
        }

        var key = $"models/{version.Model}/onnx/{version.ArtifactSha256}-{FormatVersion}.onnx";
        try
        {
            return (await store.OpenReadAsync(key, cancellationToken), null);
        }
        catch (ArtifactNotFoundException)
        {
            // Not exported yet: made below.
        }

        Model model;
        await using (var file = await store.OpenReadAsync(version.ArtifactKey, cancellationToken))
        {
            model = ScoringModelFile.LoadModel(file);
        }

        byte[] onnx;
        try
        {
            onnx = OnnxModelExport.ToOnnx(model, $"{version.Model} version {version.Version}: {model.Algorithm} predicting {model.Target}");
        }
        catch (OnnxExportException refused)
        {
            return (null, refused.Message);
        }

        // Two first requests at once write the same bytes; either write stands.
        using (var content = new MemoryStream(onnx, writable: false))
        {
            await store.PutAsync(key, content, cancellationToken);
        }

        return (new MemoryStream(onnx, writable: false), null);
    }
}
