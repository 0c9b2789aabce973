namespace MlOps.TrainerService.Jobs;

/// <summary>The job states; a job ends in one of the last three.</summary>
public static class JobStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Canceled = "canceled";

    public static readonly IReadOnlyList<string> All = [Queued, Running, Succeeded, Failed, Canceled];
}

/// <summary>A training job: the validated request, its place in the queue (lease), its progress and its outcome.</summary>
public sealed class TrainingJob
{
    public Guid Id { get; set; }

    public required string Status { get; set; }

    public required string Model { get; set; }

    public required string Experiment { get; set; }

    public required string Dataset { get; set; }

    public int DatasetVersion { get; set; }

    public required string DatasetSha256 { get; set; }

    public required string Target { get; set; }

    public required string Task { get; set; }

    /// <summary>Why the job has its task: given, or inferred from the target and the algorithm (in words).</summary>
    public string? TaskReason { get; set; }

    public required string Algorithm { get; set; }

    /// <summary>Every hyperparameter with its value, defaults filled in, as a JSON object of strings.</summary>
    public required string HyperparametersJson { get; set; }

    public required string Promote { get; set; }

    public required string PrimaryMetric { get; set; }

    public int Attempts { get; set; }

    public int MaxAttempts { get; set; }

    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseExpiresAt { get; set; }

    public bool CancelRequested { get; set; }

    public string? ProgressJson { get; set; }

    public Guid? RunId { get; set; }

    public int? ModelVersion { get; set; }

    public string? PromotionJson { get; set; }

    public string? Error { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}
