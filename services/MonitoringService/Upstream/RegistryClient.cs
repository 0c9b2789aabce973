using System.Net;
using System.Net.Http.Json;
using MlOps.Contracts.Registry;

namespace MlOps.MonitoringService.Upstream;

/// <summary>The trainer's registry: which version an alias points at, a version's description and its reference profile.</summary>
public sealed class RegistryClient(HttpClient http)
{
    /// <summary>The version behind the alias, or null when the model or the alias does not exist.</summary>
    public Task<ModelVersionResponse?> GetAliasAsync(string model, string alias, CancellationToken cancellationToken) =>
        GetAsync<ModelVersionResponse>($"/api/models/{Uri.EscapeDataString(model)}/aliases/{Uri.EscapeDataString(alias)}", cancellationToken);

    /// <summary>One version of a model, or null when it does not exist.</summary>
    public Task<ModelVersionResponse?> GetVersionAsync(string model, int version, CancellationToken cancellationToken) =>
        GetAsync<ModelVersionResponse>($"/api/models/{Uri.EscapeDataString(model)}/versions/{version}", cancellationToken);

    public async Task<ReferenceProfile> GetReferenceAsync(string model, int version, CancellationToken cancellationToken) =>
        await GetAsync<ReferenceProfile>($"/api/models/{Uri.EscapeDataString(model)}/versions/{version}/reference", cancellationToken)
        ?? throw new UpstreamUnavailableException($"The registry has no reference profile for {model} version {version}.");

    private async Task<T?> GetAsync<T>(string path, CancellationToken cancellationToken) where T : class
    {
        try
        {
            using var response = await http.GetAsync(path, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new UpstreamUnavailableException($"The registry answered {(int)response.StatusCode} for {path}.");
            }

            return await response.Content.ReadFromJsonAsync<T>(cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new UpstreamUnavailableException($"The registry could not be reached: {exception.Message}", exception);
        }
    }
}
