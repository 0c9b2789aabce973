using System.Net;
using System.Net.Http.Json;
using MlOps.Contracts.Datasets;

namespace MlOps.Clients;

/// <summary>The data service's datasets (<c>/api/datasets</c>) as the trainer uses them: a version's metadata and profile, and its content.</summary>
public sealed class DatasetsClient(HttpClient http)
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
