namespace MlOps.ServingService.InferenceLog;

/// <summary>One prediction on its way to the inference log. <c>Inputs</c> and <c>Output</c> are JSON texts.</summary>
public sealed record InferenceRecord(
    Guid Id,
    string Model,
    int Version,
    DateTimeOffset At,
    string Inputs,
    string Output,
    double LatencyMs,
    string? RequestId,
    string Caller);
