namespace MlOps.TrainerService.Jobs;

/// <summary>Settings of the training queue and its workers (section <c>Training</c>).</summary>
public sealed class TrainingOptions
{
    public const string SectionName = "Training";

    /// <summary>Workers in this replica; each trains one job at a time.</summary>
    public int Workers { get; set; } = 1;

    /// <summary>How long a claimed job stays a worker's without a renewal; a dead worker's job is requeued after this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a worker renews its lease, stores progress and writes metric points.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an idle worker waits before looking at the queue again.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts per job: a job whose worker died or whose attempt failed on a transient error is retried up to this.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The largest dataset version a job may train on (it is read into memory), in bytes.</summary>
    public long MaxDatasetBytes { get; set; } = 1L << 30;

    /// <summary>The most classes a classification target may have.</summary>
    public int MaxClasses { get; set; } = 1000;

    /// <summary>
    /// The most distinct whole numbers a numeric target may hold to be taken as classes when no task is given and the
    /// algorithm only classifies (scikit-learn's <c>type_of_target</c> would say multiclass for any number of them).
    /// </summary>
    public int MaxInferredClasses { get; set; } = 20;

    /// <summary>How often, at most, a running job scores its validation split to report the current validation metric.</summary>
    public TimeSpan ValidationInterval { get; set; } = TimeSpan.FromSeconds(2);

    public bool IsValid(out string error)
    {
        error = (Workers, MaxAttempts) switch
        {
            ( < 0 or > 64, _) => "Training:Workers must be between 0 and 64.",
            (_, < 1 or > 100) => "Training:MaxAttempts must be between 1 and 100.",
            _ when LeaseDuration < TimeSpan.FromSeconds(1) => "Training:LeaseDuration must be at least one second.",
            _ when HeartbeatInterval <= TimeSpan.Zero || HeartbeatInterval * 2 > LeaseDuration =>
                "Training:HeartbeatInterval must be positive and at most half of Training:LeaseDuration.",
            _ when PollInterval <= TimeSpan.Zero => "Training:PollInterval must be positive.",
            _ when MaxDatasetBytes <= 0 || MaxClasses < 2 => "Training:MaxDatasetBytes must be positive and Training:MaxClasses at least 2.",
            _ when MaxInferredClasses < 2 || MaxInferredClasses > MaxClasses => "Training:MaxInferredClasses must be between 2 and Training:MaxClasses.",
            _ => "",
        };
        return error.Length == 0;
    }
}
