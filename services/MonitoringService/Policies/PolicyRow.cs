namespace MlOps.MonitoringService.Policies;

/// <summary>A row of <c>monitoring.policies</c>: a model's policy as set, with who set it and when.</summary>
public sealed class PolicyRow
{
    public required string Model { get; init; }

    public int CheckIntervalSeconds { get; set; }

    public int? WindowSeconds { get; set; }

    public int? LastPredictions { get; set; }

    public double PValueThreshold { get; set; }

    public double DistanceThreshold { get; set; }

    public double DriftShare { get; set; }

    public double MaxPerformanceDrop { get; set; }

    public int MinDriftSamples { get; set; }

    public int MinFeedbackSamples { get; set; }

    public bool AutoRetrain { get; set; }

    public int RetrainCooldownSeconds { get; set; }

    public string? WebhookUrl { get; set; }

    /// <summary>When the scheduler next checks the model; set to now by every change of the policy.</summary>
    public DateTimeOffset NextCheckAt { get; set; }

    public required string UpdatedBy { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public ModelPolicy ToPolicy() => new(
        TimeSpan.FromSeconds(CheckIntervalSeconds),
        WindowSeconds is { } window ? TimeSpan.FromSeconds(window) : null,
        LastPredictions,
        PValueThreshold,
        DistanceThreshold,
        DriftShare,
        MaxPerformanceDrop,
        MinDriftSamples,
        MinFeedbackSamples,
        AutoRetrain,
        TimeSpan.FromSeconds(RetrainCooldownSeconds),
        WebhookUrl is null ? null : new Uri(WebhookUrl));

    public void Set(ModelPolicy policy, string updatedBy, DateTimeOffset updatedAt)
    {
        CheckIntervalSeconds = (int)policy.CheckInterval.TotalSeconds;
        WindowSeconds = policy.Window is { } window ? (int)window.TotalSeconds : null;
        LastPredictions = policy.Last;
        PValueThreshold = policy.PValueThreshold;
        DistanceThreshold = policy.DistanceThreshold;
        DriftShare = policy.DriftShare;
        MaxPerformanceDrop = policy.MaxPerformanceDrop;
        MinDriftSamples = policy.MinDriftSamples;
        MinFeedbackSamples = policy.MinFeedbackSamples;
        AutoRetrain = policy.AutoRetrain;
        RetrainCooldownSeconds = (int)policy.RetrainCooldown.TotalSeconds;
        WebhookUrl = policy.WebhookUrl?.OriginalString;
        UpdatedBy = updatedBy;
        // PostgreSQL keeps microseconds: the answer to a PUT then shows what a later GET reads.
        UpdatedAt = updatedAt.AddTicks(-(updatedAt.Ticks % TimeSpan.TicksPerMicrosecond));
        NextCheckAt = UpdatedAt;
    }
}
