namespace MlOps.Contracts.Training;

/// <summary>
/// One attempt at a training job, under an experiment: what went in (parameters, dataset), what came out (metrics,
/// artifacts), how long each phase took, and how it ended (running, succeeded, failed, canceled).
/// </summary>
public sealed record RunResponse(
    Guid Id,
    string Experiment,
    Guid JobId,
    int Attempt,
    string Status,
    string Algorithm,
    string Task,
    string Target,
    IReadOnlyDictionary<string, string> Parameters,
    RunDataset Dataset,
    IReadOnlyDictionary<string, double> Metrics,
    RunTimings? Timings,
    IReadOnlyList<RunArtifact> Artifacts,
    int? ModelVersion,
    string? Worker,
    string? Error,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt);

public sealed record RunDataset(string Name, int Version, string Sha256);

/// <summary>Seconds spent loading the data, training, and evaluating and writing artifacts.</summary>
public sealed record RunTimings(double LoadSeconds, double TrainSeconds, double EvaluateSeconds, double TotalSeconds);

/// <summary>An artifact of a run, downloadable at <c>GET /api/runs/{id}/artifacts/{name}</c>.</summary>
public sealed record RunArtifact(string Name, string ContentType, long Size, string Sha256);

/// <summary>A metric's value at one step (the learner's iteration), as <c>GET /api/runs/{id}/metrics</c> lists them.</summary>
public sealed record MetricPoint(string Name, int Step, double Value, DateTimeOffset Timestamp);

public sealed record ExperimentSummary(string Name, int Runs, DateTimeOffset CreatedAt, DateTimeOffset? LastRunAt);

/// <summary>A feature's weight in the model: for linear models the largest absolute coefficient among its features.</summary>
public sealed record FeatureImportance(string Feature, double Importance);

/// <summary>Validation-split confusion matrix: <c>counts[actual][predicted]</c> in <c>classes</c> order.</summary>
public sealed record ConfusionMatrixArtifact(
    IReadOnlyList<string> Classes, IReadOnlyList<IReadOnlyList<long>> Counts, IReadOnlyList<ClassMetrics>? PerClass = null);

/// <summary>
/// One class's precision, recall and F1 on the validation split, and its support (actual rows); 0 where undefined
/// (scikit-learn's <c>zero_division=0</c>).
/// </summary>
public sealed record ClassMetrics(string Class, double Precision, double Recall, double F1, long Support);

/// <summary>Validation-split residuals (actual − predicted) of a regression model.</summary>
public sealed record ResidualSummary(long Rows, double Mean, double StandardDeviation, double MeanAbsolute, double Min, double Max, double P5, double P50, double P95);
