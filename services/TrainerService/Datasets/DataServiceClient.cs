using System.Net;
using System.Net.Http.Json;
using MlOps.Clients;
using MlOps.Contracts.Datasets;
using MlOps.Learning.Data;

namespace MlOps.TrainerService.Datasets;

/// <summary>The data service's API as the trainer uses it: a version's metadata and profile, and its content.</summary>
public sealed class DataServiceClient(HttpClient http)
{
    /// <summary>The version (the newest when <paramref name="version"/> is null), or null when the dataset or version does not exist.</summary>
    public async Task<DatasetVersionDetail?> GetVersionAsync(string dataset, int? version, CancellationToken cancellationToken)
    {
        var path = $"/api/datasets/{Uri.EscapeDataString(dataset)}/versions/{(version is { } number ? number.ToString(System.Globalization.CultureInfo.InvariantCulture) : "latest")}";
        try
        {
            using var response = await http.GetAsync(path, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            await EnsureSuccessAsync(response, cancellationToken);
            return await response.Content.ReadFromJsonAsync<DatasetVersionDetail>(cancellationToken)
                ?? throw new ServiceUnavailableException("The data service answered an empty version.");
        }
        catch (HttpRequestException exception)
        {
            throw new ServiceUnavailableException($"The data service could not be reached: {exception.Message}", exception);
        }
    }

    /// <summary>The version's CSV, streamed; the caller disposes the stream.</summary>
    public async Task<Stream> OpenContentAsync(string dataset, int version, CancellationToken cancellationToken)
    {
        var path = $"/api/datasets/{Uri.EscapeDataString(dataset)}/versions/{version}/content";
        HttpResponseMessage? response = null;
        try
        {
            response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new DatasetGoneException($"Dataset '{dataset}' version {version} no longer exists.");
            }

            await EnsureSuccessAsync(response, cancellationToken);
            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            response?.Dispose();
            throw new ServiceUnavailableException($"The data service could not be reached: {exception.Message}", exception);
        }
    }

    /// <summary>The version's rows, read with the column types its profile gives (not inferred again).</summary>
    public async Task<DataTable> ReadTableAsync(DatasetVersionDetail detail, CancellationToken cancellationToken)
    {
        await using var content = await OpenContentAsync(detail.Version.Name, detail.Version.Version, cancellationToken);
        var types = detail.Version.Columns.ToDictionary(
            column => column.Name, column => Enum.Parse<ColumnType>(column.Type, ignoreCase: true), StringComparer.Ordinal);
        return CsvTableReader.Read(content, new CsvReadOptions { ColumnTypes = types }, cancellationToken);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new ServiceUnavailableException(
                $"The data service answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
        }
    }
}

/// <summary>The dataset version a job names was deleted after the job was accepted.</summary>
public sealed class DatasetGoneException(string message) : Exception(message);
