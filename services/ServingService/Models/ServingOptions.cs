namespace MlOps.ServingService.Models;

/// <summary>Settings of prediction serving (section <c>Serving</c>).</summary>
public sealed class ServingOptions
{
    public const string SectionName = "Serving";

    /// <summary>The alias a prediction uses when it names neither an alias nor a version.</summary>
    public string DefaultAlias { get; set; } = "production";

    /// <summary>The most instances one prediction request may carry.</summary>
    public int MaxBatchInstances { get; set; } = 1000;

    /// <summary>The largest prediction request body, in bytes.</summary>
    public long MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Versions asked for by number (<c>?version=</c>) kept loaded; the least recently asked for goes first.</summary>
    public int MaxPinnedVersions { get; set; } = 16;

    /// <summary>How long one long-poll on the registry's change feed waits (under the HTTP client's attempt timeout).</summary>
    public TimeSpan ChangeWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Predictions per second per caller and model (a token bucket refilled every second).</summary>
    public int PermitsPerSecond { get; set; } = 1000;

    /// <summary>Predictions a caller may send above the steady rate in a burst.</summary>
    public int Burst { get; set; } = 2000;

    public bool IsValid() =>
        MaxBatchInstances is > 0 and <= 100_000 && MaxRequestBytes > 0 && ChangeWait >= TimeSpan.Zero && ChangeWait <= TimeSpan.FromSeconds(60)
        && MaxPinnedVersions is > 0 and <= 1000 && PermitsPerSecond > 0 && Burst > 0 && !string.IsNullOrWhiteSpace(DefaultAlias);
}
