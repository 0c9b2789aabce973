namespace MlOps.ServiceDefaults.Health;

/// <summary>One health check's status in <see cref="HealthResponse"/>.</summary>
public sealed record HealthCheckResponse(string Status, string? Description, double DurationMs);
