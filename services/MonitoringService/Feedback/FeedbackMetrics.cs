using System.Diagnostics.Metrics;

namespace MlOps.MonitoringService.Feedback;

/// <summary><c>mlops_feedback_total{model,outcome}</c>: outcomes received, <c>accepted</c> (new) or <c>duplicate</c>.</summary>
public sealed class FeedbackMetrics
{
    public const string MeterName = "MlOps.Monitoring.Feedback";

    private readonly Counter<long> _received;

    public FeedbackMetrics(IMeterFactory meters) =>
        _received = meters.Create(MeterName).CreateCounter<long>("mlops.feedback", description: "Feedback received, by model and outcome.");

    public void Received(string model, int accepted, int duplicates)
    {
        var modelTag = new KeyValuePair<string, object?>("model", model);
        _received.Add(accepted, modelTag, new KeyValuePair<string, object?>("outcome", "accepted"));
        _received.Add(duplicates, modelTag, new KeyValuePair<string, object?>("outcome", "duplicate"));
    }
}
