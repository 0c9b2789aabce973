using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace MlOps.ServiceDefaults.Database;

/// <summary>
/// Readiness of the database connection: one <c>SELECT 1</c> on the service's data source, without the retries EF
/// applies to real work, so a probe of an unreachable database answers in seconds.
/// </summary>
internal sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("the database answers");
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"the database does not answer: {exception.Message}");
        }
    }
}
