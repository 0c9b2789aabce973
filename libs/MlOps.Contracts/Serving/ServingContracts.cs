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

/// <summary><c>POST /api/serving/inference-log/lookup</c>: the logged predictions with these ids (at most 1,000).</summary>
public sealed record PredictionLookupRequest(IReadOnlyList<Guid>? Ids);

/// <summary>The predictions found among the ids asked for, in no particular order; an id not in the log is absent.</summary>
public sealed record PredictionLookupResponse(IReadOnlyList<LoggedPrediction> Items);

/// <summary>A logged prediction without its inputs: what feedback is checked against and scored with.</summary>
public sealed record LoggedPrediction(Guid Id, string Model, int Version, DateTimeOffset At, JsonElement Output);
