namespace MlOps.ServiceDefaults.Http;

/// <summary>Resilience of outgoing HTTP calls (section <c>Http:Resilience</c>).</summary>
public sealed class HttpResilienceOptions
{
    public const string SectionName = "Http:Resilience";

    /// <summary>The whole call, retries included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt; only idempotent methods are retried.</summary>
    public int MaxRetries { get; set; } = 3;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The breaker opens when this share of calls fails within <see cref="BreakerSamplingDuration"/>.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    public int BreakerMinimumThroughput { get; set; } = 20;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
