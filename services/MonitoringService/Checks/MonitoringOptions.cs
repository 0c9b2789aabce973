namespace MlOps.MonitoringService.Checks;

/// <summary>The <c>Monitoring</c> settings section.</summary>
public sealed class MonitoringOptions
{
    public const string SectionName = "Monitoring";

    /// <summary>How often each replica looks for a model whose check is due (default 15 s; a check runs at most this late).</summary>
    public TimeSpan SchedulerPollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long after a scheduled check that failed (a service it needs was down) it is tried again (default 1 min).</summary>
    public TimeSpan FailedCheckRetry { get; set; } = TimeSpan.FromMinutes(1);
}
