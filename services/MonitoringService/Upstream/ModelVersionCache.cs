using System.Collections.Concurrent;
using MlOps.Clients;
using MlOps.Contracts.Registry;

namespace MlOps.MonitoringService.Upstream;

/// <summary>
/// Model versions as the registry describes them, kept once read: a version never changes, and feedback names the
/// same few versions over and over. The registry client is passed in, as typed HTTP clients are short-lived. Bounded: past <see cref="Capacity"/> versions the cache starts again.
/// </summary>
public sealed class ModelVersionCache
{
    public const int Capacity = 1000;

    private readonly ConcurrentDictionary<(string Model, int Version), ModelVersionResponse> _versions = new();

    /// <summary>The version, or null when the registry does not have it (a deleted model).</summary>
    public async Task<ModelVersionResponse?> GetAsync(RegistryClient registry, string model, int version, CancellationToken cancellationToken)
    {
        if (_versions.TryGetValue((model, version), out var known))
        {
            return known;
        }

        var read = await registry.GetVersionAsync(model, version, cancellationToken);
        if (read is not null)
        {
            if (_versions.Count >= Capacity)
            {
                _versions.Clear();
            }

            _versions[(model, version)] = read;
        }

        return read;
    }
}
