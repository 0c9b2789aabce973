using System.Diagnostics.Metrics;

namespace MlOps.ServingService.InferenceLog;

/// <summary>
/// <c>mlops_inference_log_records_total{state}</c>: <c>logged</c> (written to the database as they came),
/// <c>spilled</c> (written to the spill files), <c>replayed</c> (from the spill to the database), <c>refused</c>
/// (predictions answered 503 because the log was full) and <c>dropped</c> (lost: must stay 0); and
/// <c>mlops_inference_log_pending</c>, records in memory not yet written. Every state is exported from the start, so
/// an alert on <c>dropped</c> sees 0 rather than nothing.
/// </summary>
public sealed class InferenceLogMetrics
{
    public const string MeterName = "MlOps.Serving.InferenceLog";

    private static readonly string[] States = ["logged", "spilled", "replayed", "refused", "dropped"];

    private readonly long[] _records = new long[States.Length];

    public InferenceLogMetrics(IMeterFactory meters, InferenceLogBuffer buffer)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("mlops.inference_log.records", Observe, description: "Inference-log records by what happened to them.");
        meter.CreateObservableGauge("mlops.inference_log.pending", () => buffer.Pending, description: "Inference-log records in memory, not yet written.");
    }

    public void Count(string state, int records) => Interlocked.Add(ref _records[Array.IndexOf(States, state)], records);

    private IEnumerable<Measurement<long>> Observe()
    {
        for (var i = 0; i < States.Length; i++)
        {
            yield return new Measurement<long>(Interlocked.Read(ref _records[i]), new KeyValuePair<string, object?>("state", States[i]));
        }
    }
}
