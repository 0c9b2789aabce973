using System.Diagnostics.Metrics;

namespace MlOps.ServingService.InferenceLog;

/// <summary>
/// <c>mlops_inference_log_records_total{state}</c>: <c>logged</c> (written to the database as they came),
/// <c>spilled</c> (written to the spill files), <c>replayed</c> (from the spill to the database), <c>refused</c>
/// (predictions answered 503 because the log was full) and <c>dropped</c> (lost: must stay 0); and
/// <c>mlops_inference_log_pending</c>, records in memory not yet written.
/// </summary>
public sealed class InferenceLogMetrics
{
    public const string MeterName = "MlOps.Serving.InferenceLog";

    private readonly Counter<long> _records;

    public InferenceLogMetrics(IMeterFactory meters, InferenceLogBuffer queue)
    {
        var meter = meters.Create(MeterName);
        _records = meter.CreateCounter<long>("mlops.inference_log.records", description: "Inference-log records by what happened to them.");
        meter.CreateObservableGauge("mlops.inference_log.pending", () => queue.Pending, description: "Inference-log records in memory, not yet written.");

        // Every state is exported from the start, so a dashboard or alert on 'dropped' sees 0 rather than nothing.
        foreach (var state in new[] { "logged", "spilled", "replayed", "refused", "dropped" })
        {
            _records.Add(0, new KeyValuePair<string, object?>("state", state));
        }
    }

    public void Count(string state, int records) => _records.Add(records, new KeyValuePair<string, object?>("state", state));
}
