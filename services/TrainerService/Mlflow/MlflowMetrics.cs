using System.Diagnostics.Metrics;

namespace MlOps.TrainerService.Mlflow;

/// <summary>
/// The mirror's instruments: entries waiting (<c>mlops_mlflow_outbox_pending</c>) and MLflow requests by outcome
/// (<c>mlops_mlflow_requests_total{outcome}</c>: success, error, unreachable). Also what the health check reads.
/// </summary>
public sealed class MlflowMetrics
{
    public const string MeterName = "MlOps.Trainer.Mlflow";

    private readonly Counter<long> _requests;
    private long _pending;
    private volatile string? _unreachable;

    public MlflowMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("mlops.mlflow.requests", description: "Requests to MLflow, by outcome.");
        meter.CreateObservableGauge("mlops.mlflow.outbox.pending", () => Interlocked.Read(ref _pending), description: "Mirror entries not yet sent to MLflow.");
    }

    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>Why the last attempt could not reach MLflow, or null once one did.</summary>
    public string? Unreachable => _unreachable;

    public void SetPending(long pending) => Interlocked.Exchange(ref _pending, pending);

    public void Request(string outcome) => _requests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Reached() => _unreachable = null;

    public void CouldNotReach(string why) => _unreachable = why;
}

/// <summary>Counts every request to MLflow by its outcome.</summary>
public sealed class MlflowRequestCounter(MlflowMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            metrics.Request(response.IsSuccessStatusCode ? "success" : "error");
            return response;
        }
        catch (HttpRequestException)
        {
            metrics.Request("unreachable");
            throw;
        }
    }
}
