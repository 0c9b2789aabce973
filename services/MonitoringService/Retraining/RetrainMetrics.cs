using System.Diagnostics.Metrics;

namespace MlOps.MonitoringService.Retraining;

/// <summary><c>mlops_retrains_total{model,outcome}</c>: automatic retrainings asked of the trainer, <c>started</c> or <c>failed</c>.</summary>
public sealed class RetrainMetrics
{
    private readonly Counter<long> _retrains;

    public RetrainMetrics(IMeterFactory meters) =>
        _retrains = meters.Create("MlOps.Monitoring.Retraining").CreateCounter<long>("mlops.retrains", description: "Automatic retrainings, by outcome.");

    public void Retrain(string model, string outcome) =>
        _retrains.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("outcome", outcome));
}
