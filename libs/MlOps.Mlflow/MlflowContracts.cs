using System.Text.Json.Serialization;

namespace MlOps.Mlflow;

/// <summary>A key and value as MLflow's tags (RunTag, ExperimentTag) and params take them.</summary>
public sealed record MlflowKeyValue([property: JsonPropertyName("key")] string Key, [property: JsonPropertyName("value")] string Value);

/// <summary>One metric point: MLflow's Metric (timestamp in milliseconds since the Unix epoch).</summary>
public sealed record MlflowMetric(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("value")] double Value,
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("step")] long Step);

/// <summary>MLflow's Experiment, as far as the platform reads it.</summary>
public sealed record MlflowExperiment(
    [property: JsonPropertyName("experiment_id")] string ExperimentId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("artifact_location")] string? ArtifactLocation,
    [property: JsonPropertyName("lifecycle_stage")] string? LifecycleStage);

/// <summary>MLflow's RunInfo, as far as the platform reads it.</summary>
public sealed record MlflowRunInfo(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("experiment_id")] string ExperimentId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("artifact_uri")] string? ArtifactUri);

/// <summary>A run as <c>runs/get</c> answers it: its info, and its params and tags by key.</summary>
public sealed record MlflowRun(MlflowRunInfo Info, IReadOnlyDictionary<string, string> Params, IReadOnlyDictionary<string, string> Tags);

/// <summary>MLflow's ModelVersion, as far as the platform reads it.</summary>
public sealed record MlflowModelVersion(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("run_id")] string? RunId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("aliases")] IReadOnlyList<string>? Aliases);

/// <summary>A run's status (MLflow's RunStatus).</summary>
public enum MlflowRunStatus
{
    Running,
    Scheduled,
    Finished,
    Failed,
    Killed,
}

/// <summary>
/// An error answer of MLflow: its <c>{"error_code", "message"}</c> body and the HTTP status. The codes the client acts
/// on are constants here.
/// </summary>
public sealed class MlflowException(string errorCode, string message, int statusCode) : Exception($"MLflow {errorCode} ({statusCode}): {message}")
{
    public const string ResourceAlreadyExists = "RESOURCE_ALREADY_EXISTS";
    public const string ResourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST";
    public const string InvalidParameterValue = "INVALID_PARAMETER_VALUE";

    /// <summary>Not MLflow's: the client refused a download longer than its caller's limit.</summary>
    public const string ArtifactTooLarge = "ARTIFACT_TOO_LARGE";

    public string ErrorCode { get; } = errorCode;

    public string MlflowMessage { get; } = message;

    public int StatusCode { get; } = statusCode;

    /// <summary>
    /// Whether <paramref name="exception"/> means MLflow could not be reached or could not answer now (connection
    /// failures, time-outs, 5xx, 429), so the same request may succeed later; anything else is an answer to act on.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception is HttpRequestException or TimeoutException or TaskCanceledException
        || exception is MlflowException { StatusCode: >= 500 or 429 };
}
