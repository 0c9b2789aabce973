namespace MlOps.ServingService.InferenceLog;

/// <summary>Settings of the inference log (section <c>InferenceLog</c>).</summary>
public sealed class InferenceLogOptions
{
    public const string SectionName = "InferenceLog";

    /// <summary>Records held in memory on their way to the database; beyond this (and a full spill) predictions get 503.</summary>
    public int Capacity { get; set; } = 200_000;

    /// <summary>The most records one write (one COPY, one transaction) carries.</summary>
    public int BatchSize { get; set; } = 5_000;

    /// <summary>How long the writer waits after a batch's first record for more, before it writes.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Where records go while the database is unavailable: append-only files replayed when it is back.</summary>
    public string SpillDirectory { get; set; } = "inference-spill";

    /// <summary>The most bytes the spill files may hold.</summary>
    public long MaxSpillBytes { get; set; } = 1L << 30;

    /// <summary>How long after a failed write the database is tried again (records spill meanwhile).</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a stopping replica keeps writing what it still holds, to the database or the spill.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    public bool IsValid() =>
        Capacity > 0 && BatchSize is > 0 and <= 100_000 && MaxSpillBytes > 0 && RetryInterval > TimeSpan.Zero
        && DrainTimeout > TimeSpan.Zero && FlushInterval >= TimeSpan.Zero && FlushInterval <= TimeSpan.FromSeconds(10) && !string.IsNullOrWhiteSpace(SpillDirectory);
}
