using MlOps.Clients;
using MlOps.Contracts.Datasets;
using MlOps.Learning.Data;

namespace MlOps.TrainerService.Datasets;

/// <summary>A dataset version as the learners take it: the data service's CSV parsed into a table.</summary>
public static class DatasetTableReader
{
    /// <summary>The version's rows, read with the column types its profile gives (not inferred again).</summary>
    public static async Task<DataTable> ReadTableAsync(this DatasetsClient datasets, DatasetVersionDetail detail, CancellationToken cancellationToken)
    {
        await using var content = await datasets.OpenContentAsync(detail.Version.Name, detail.Version.Version, cancellationToken);
        var types = detail.Version.Columns.ToDictionary(
            column => column.Name, column => Enum.Parse<ColumnType>(column.Type, ignoreCase: true), StringComparer.Ordinal);
        return CsvTableReader.Read(content, new CsvReadOptions { ColumnTypes = types }, cancellationToken);
    }
}
