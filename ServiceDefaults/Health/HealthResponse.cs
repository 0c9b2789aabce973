namespace MlOps.ServiceDefaults.Health;

/// <summary>The body of <c>/health</c> and <c>/alive</c>: the overall status and each check's.</summary>
public sealed record HealthResponse(string Status, double DurationMs, IReadOnlyDictionary<string, HealthCheckResponse> Checks);
