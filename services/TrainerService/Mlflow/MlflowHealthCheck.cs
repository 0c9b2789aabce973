using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlOps.TrainerService.Mlflow;

/// <summary>Degraded (not unhealthy: training goes on, the outbox keeps what is to send) while MLflow cannot be reached.</summary>
public sealed class MlflowHealthCheck(MlflowMetrics metrics) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(metrics.Unreachable is { } why
            ? HealthCheckResult.Degraded($"MLflow cannot be reached ({why}); {metrics.Pending} entries wait in the outbox.")
            : HealthCheckResult.Healthy($"{metrics.Pending} entries wait in the outbox."));
}
