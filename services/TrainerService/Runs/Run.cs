namespace MlOps.TrainerService.Runs;

public static class RunStatus
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Canceled = "canceled";
}

/// <summary>An experiment groups the runs of one model (or whatever the jobs name).</summary>
public sealed class Experiment
{
    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One attempt at a job. Parameters, metrics, timings and artifacts are JSON documents (<c>MlOps.Contracts.Training</c>).</summary>
public sealed class Run
{
    public Guid Id { get; set; }

    public required string Experiment { get; set; }

    public Guid JobId { get; set; }

    public int Attempt { get; set; }

    public required string Status { get; set; }

    public required string Worker { get; set; }

    public required string Algorithm { get; set; }

    public required string Task { get; set; }

    public required string Target { get; set; }

    public required string ParametersJson { get; set; }

    public required string Dataset { get; set; }

    public int DatasetVersion { get; set; }

    public required string DatasetSha256 { get; set; }

    public string MetricsJson { get; set; } = "{}";

    public string? TimingsJson { get; set; }

    public string ArtifactsJson { get; set; } = "[]";

    public int? ModelVersion { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>A metric's value at one step of a run.</summary>
public sealed class RunMetric
{
    public Guid RunId { get; set; }

    public required string Name { get; set; }

    public int Step { get; set; }

    public double Value { get; set; }

    public DateTimeOffset At { get; set; }
}
