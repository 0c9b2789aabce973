using System.Text.Json;

namespace MlOps.Contracts.Serving;

/// <summary>
/// <c>POST /api/predict/{model}</c>: one prediction per instance, in the order sent, each with the id under which it
/// is logged (and under which feedback names it).
/// </summary>
public sealed record PredictionResponse(string Model, int Version, IReadOnlyList<PredictionResult> Predictions);

/// <summary>A classification has <c>label</c> and <c>probabilities</c> (by class); a regression has <c>value</c>.</summary>
public sealed record PredictionResult(
    Guid Id,
    string? Label,
    IReadOnlyDictionary<string, double>? Probabilities,
    double? Value);

/// <summary>
/// <c>GET /api/serving/models</c>: what this replica serves: a model by alias or pinned version, the version behind it,
/// since when, and the last failed load, if the newest one failed (the previous version keeps serving).
/// </summary>
public sealed record ServedModel(
    string Model,
    string? Alias,
    int Version,
    DateTimeOffset LoadedAt,
    string? LoadError,
    DateTimeOffset? LoadErrorAt);

/// <summary>
/// One line of <c>GET /api/serving/inference-log</c> (NDJSON): a prediction as it was logged. <c>inputs</c> is the
/// instance as sent; <c>output</c> holds <c>label</c> and <c>probabilities</c>, or <c>value</c>.
/// </summary>
public sealed record InferenceLogEntry(
    Guid Id,
    string Model,
    int Version,
    DateTimeOffset At,
    JsonElement Inputs,
    JsonElement Output,
    double LatencyMs,
    string? RequestId,
    string Caller);
