using System.Net;
using System.Net.Http.Json;
using MlOps.Contracts.Registry;

namespace MlOps.Clients;

/// <summary>
/// The trainer's model registry (<c>/api/models</c>) as serving, monitoring and the data service use it: which version an
/// alias names, a version, its model file and reference profile, the change feed, and what stands on a dataset version. Lookups of what does not exist answer null.
/// </summary>
public sealed class RegistryClient(HttpClient http)
{
    /// <summary>The version behind the alias, or null when the model or the alias does not exist.</summary>
    public Task<ModelVersionResponse?> GetAliasAsync(string model, string alias, CancellationToken cancellationToken) =>
        GetOrNullAsync<ModelVersionResponse>($"{Model(model)}/aliases/{Uri.EscapeDataString(alias)}", cancellationToken);

    /// <summary>The version, or null when the model or the version does not exist.</summary>
    public Task<ModelVersionResponse?> GetVersionAsync(string model, int version, CancellationToken cancellationToken) =>
        GetOrNullAsync<ModelVersionResponse>($"{Model(model)}/versions/{version}", cancellationToken);

    /// <summary>The profile of the data the version was trained on, the baseline drift is measured against.</summary>
    public async Task<ReferenceProfile> GetReferenceAsync(string model, int version, CancellationToken cancellationToken) =>
        await GetOrNullAsync<ReferenceProfile>($"{Model(model)}/versions/{version}/reference", cancellationToken)
        ?? throw new ServiceUnavailableException($"The registry has no reference profile for {model} version {version}.");

    /// <summary>The model file, buffered in memory (model files are small; the scorer parses the whole file anyway).</summary>
    public async Task<byte[]> GetArtifactAsync(string model, int version, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync($"{Model(model)}/versions/{version}/artifact", cancellationToken);
            await EnsureSuccessAsync(response, cancellationToken);
            return await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw Unreachable(exception);
        }
    }

    /// <summary>Models changed after <paramref name="after"/>, waiting up to <paramref name="wait"/> for one.</summary>
    public async Task<ModelChanges> GetChangesAsync(long after, TimeSpan wait, CancellationToken cancellationToken) =>
        await GetOrNullAsync<ModelChanges>($"/api/models/changes?after={after}&wait={(int)wait.TotalSeconds}", cancellationToken)
        ?? throw new ServiceUnavailableException("The registry has no change feed.");

    /// <summary>The model versions and the unfinished jobs that stand on a dataset version (the data service asks before a delete).</summary>
    public async Task<DatasetUsage> GetDatasetUsageAsync(string dataset, int version, CancellationToken cancellationToken) =>
        await GetOrNullAsync<DatasetUsage>($"/api/models/by-dataset/{Uri.EscapeDataString(dataset)}/versions/{version}", cancellationToken)
        ?? throw new ServiceUnavailableException($"The registry answered 404 when asked what uses '{dataset}' version {version}.");

    private static string Model(string model) => $"/api/models/{Uri.EscapeDataString(model)}";

    private async Task<T?> GetOrNullAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            using var response = await http.GetAsync(path, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            await EnsureSuccessAsync(response, cancellationToken);
            return await response.Content.ReadFromJsonAsync<T>(cancellationToken)
                ?? throw new ServiceUnavailableException($"The registry answered an empty body for {path}.");
        }
        catch (HttpRequestException exception)
        {
            throw Unreachable(exception);
        }
    }

    private static ServiceUnavailableException Unreachable(HttpRequestException exception) =>
        new($"The registry could not be reached: {exception.Message}", exception);

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new ServiceUnavailableException(
                $"The registry answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
        }
    }
}
