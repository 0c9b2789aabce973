using MlOps.Clients;
using MlOps.Contracts.Datasets;
using MlOps.Images.Embedding;
using MlOps.Learning.Data;

namespace MlOps.TrainerService.Datasets;

/// <summary>A dataset version read to evaluate a model made elsewhere on (an MLflow import, an uploaded ONNX file), or why it cannot be.</summary>
public sealed record EvaluationData(DatasetVersionDetail? Detail, DataTable? Table, string? Problem)
{
    /// <summary>The version (the newest when <paramref name="version"/> is null), read whole when at most <paramref name="maxBytes"/>.</summary>
    public static async Task<EvaluationData> ReadAsync(
        DatasetsClient data, ImageEmbedder images, string dataset, int? version, long maxBytes, CancellationToken cancellationToken)
    {
        var detail = await data.GetVersionAsync(dataset, version, cancellationToken);
        if (detail is null)
        {
            return new(null, null, version is null
                ? $"Dataset '{dataset}' is not in the data service; the model is evaluated on it."
                : $"Dataset '{dataset}' version {version} is not in the data service; the model is evaluated on it.");
        }

        if (detail.Version.SizeBytes > maxBytes)
        {
            return new(detail, null,
                $"Dataset '{dataset}' version {detail.Version.Version} is {detail.Version.SizeBytes} bytes; evaluation reads it into memory and takes at most {maxBytes} (Training:MaxDatasetBytes).");
        }

        return new(detail, await data.ReadTableAsync(detail, images, progress: null, cancellationToken), null);
    }
}
