using System.Text.Json;

namespace MlOps.Contracts.Training;

/// <summary>
/// <c>POST /api/training/jobs</c>. Every field is validated up front; <c>datasetVersion</c> defaults to the newest,
/// <c>task</c> to what the target's type implies, <c>experiment</c> to the model name, <c>promote</c> to
/// <c>never</c>, <c>primaryMetric</c> to the task's (auc, f1, rmse). Hyperparameters are the algorithm's
/// (<c>GET /api/training/algorithms</c>) plus <c>validationFraction</c> and <c>seed</c>.
/// </summary>
public sealed record TrainingJobRequest(
    string? Dataset,
    int? DatasetVersion,
    string? Target,
    string? Task,
    string? Algorithm,
    IReadOnlyDictionary<string, JsonElement>? Hyperparameters,
    string? Model,
    string? Experiment,
    string? Promote,
    string? PrimaryMetric);

/// <summary>
/// A training job as the trainer answers it. <c>status</c>: queued, running, succeeded, failed or canceled.
/// <see cref="TaskReason"/> says why the job has its task: given in the request, or inferred from the target and the
/// algorithm (null for jobs from before it was kept).
/// </summary>
public sealed record TrainingJobResponse(
    Guid Id,
    string Status,
    string Model,
    string Experiment,
    string Dataset,
    int DatasetVersion,
    string DatasetSha256,
    string Target,
    string Task,
    string Algorithm,
    IReadOnlyDictionary<string, string> Hyperparameters,
    string Promote,
    string PrimaryMetric,
    int Attempts,
    int MaxAttempts,
    bool CancelRequested,
    JobProgress? Progress,
    Guid? RunId,
    int? ModelVersion,
    PromotionOutcome? Promotion,
    string? Error,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? TaskReason = null);

/// <summary>
/// Where a running job is: its phase (loading, training, evaluating, registering), the learner's iteration, the
/// training objective, and the primary metric on the validation split as of <c>validationIteration</c>.
/// </summary>
public sealed record JobProgress(
    string Phase,
    int Iteration,
    double? TrainingLoss,
    double? ValidationMetric,
    int? ValidationIteration,
    DateTimeOffset UpdatedAt);

/// <summary>What the job's promotion policy did with the <c>production</c> alias, and why.</summary>
public sealed record PromotionOutcome(
    string Policy,
    bool Promoted,
    int? PreviousVersion,
    string Metric,
    double? NewValue,
    double? CurrentValue,
    string Reason);

/// <summary>One learner the trainer offers, with the tasks it handles and its hyperparameters.</summary>
public sealed record AlgorithmDescription(string Name, IReadOnlyList<string> Tasks, IReadOnlyList<HyperparameterDescription> Hyperparameters);

/// <summary>A hyperparameter: its type (number, integer, boolean, choice), its default and its allowed range or choices.</summary>
public sealed record HyperparameterDescription(
    string Name,
    string Type,
    string Default,
    double? Minimum,
    double? Maximum,
    IReadOnlyList<string>? Choices,
    string Description);
