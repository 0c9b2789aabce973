using MlOps.Clients;
using MlOps.Contracts.Datasets;
using MlOps.Images.Embedding;
using MlOps.Learning.Data;

namespace MlOps.TrainerService.Datasets;

/// <summary>
/// A dataset version as the learners take it: the data service's CSV parsed into a table; for an archive, its CSV with
/// every image column's pictures encoded by <paramref name="images"/>.
/// </summary>
public static class DatasetTableReader
{
    /// <summary>The version's rows, read with the column types its profile gives (not inferred again).</summary>
    /// <param name="progress">Called with (pictures encoded, pictures in all) while an archive's pictures are encoded.</param>
    public static async Task<DataTable> ReadTableAsync(
        this DatasetsClient datasets,
        DatasetVersionDetail detail,
        ImageEmbedder images,
        Action<int, int>? progress,
        CancellationToken cancellationToken)
    {
        // Forced onto the thread pool: parsing, encoding and the training after it are long CPU work, which must not run
        // inline on whatever thread completed the download (an in-process caller's, in tests, which then stalls).
        await using var content = await datasets.OpenContentAsync(detail.Version.Name, detail.Version.Version, cancellationToken)
            .ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        var types = detail.Version.Columns.ToDictionary(
            column => column.Name, column => Enum.Parse<ColumnType>(column.Type, ignoreCase: true), StringComparer.Ordinal);
        if (detail.Version.Format != DatasetFormats.Zip)
        {
            return CsvTableReader.Read(content, new CsvReadOptions { ColumnTypes = types }, cancellationToken);
        }

        using var archive = await DatasetArchive.OpenAsync(content, new ArchiveLimits(), cancellationToken)
            .ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        return ArchiveTables.Read(archive, types, images, progress, cancellationToken);
    }
}
