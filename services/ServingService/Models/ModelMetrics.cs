using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace MlOps.ServingService.Models;

/// <summary>
/// <c>mlops_model_loaded_info{model,alias,version}</c> (1 for each alias and the version it serves),
/// <c>mlops_model_loads_total{model}</c> (model files read) and <c>mlops_model_load_failures_total{model}</c>.
/// </summary>
public sealed class ModelMetrics
{
    public const string MeterName = "MlOps.Serving.Models";

    private readonly ConcurrentDictionary<(string Model, string Alias), int> _loaded = new();
    private readonly Counter<long> _loads;
    private readonly Counter<long> _failures;

    public ModelMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("mlops.model.loaded.info", Observe, description: "1 for each alias and the model version it serves.");
        _loads = meter.CreateCounter<long>("mlops.model.loads", description: "Model versions read from the registry into memory.");
        _failures = meter.CreateCounter<long>("mlops.model.load.failures", description: "Model versions that failed to load.");
    }

    public void Loaded(string model, string alias, int version) => _loaded[(model, alias)] = version;

    public void Unloaded(string model, string alias) => _loaded.TryRemove((model, alias), out _);

    public void Read(string model) => _loads.Add(1, new KeyValuePair<string, object?>("model", model));

    public void LoadFailed(string model) => _failures.Add(1, new KeyValuePair<string, object?>("model", model));

    private IEnumerable<Measurement<int>> Observe() =>
        _loaded.Select(pair => new Measurement<int>(
            1,
            new KeyValuePair<string, object?>("model", pair.Key.Model),
            new KeyValuePair<string, object?>("alias", pair.Key.Alias),
            new KeyValuePair<string, object?>("version", pair.Value)));
}
