using Microsoft.Extensions.Options;
using MlOps.MonitoringService.Drift;
using MlOps.MonitoringService.Performance;
using MlOps.MonitoringService.Policies;
using MlOps.ServiceDefaults.Database;
using Npgsql;

namespace MlOps.MonitoringService.Checks;

/// <summary>
/// Runs each model's drift and performance checks every check interval of its policy. A replica claims a due model by
/// moving its next check time forward in the same statement that finds it (<c>FOR UPDATE SKIP LOCKED</c>), so however
/// many replicas poll, each due check runs once. A check that fails (a service it needs is down) is retried after
/// <see cref="MonitoringOptions.FailedCheckRetry"/>; the scheduler itself keeps running.
/// </summary>
public sealed class CheckScheduler(
    NpgsqlDataSource database,
    SchemaMigrations migrations,
    IServiceScopeFactory scopes,
    IOptions<MonitoringOptions> options,
    TimeProvider time,
    ILogger<CheckScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrations.Applied.Task.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(options.Value.SchedulerPollInterval, time, stoppingToken);
            try
            {
                while (await ClaimDueAsync(stoppingToken) is { } model)
                {
                    await CheckAsync(model, stoppingToken);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Looking for due monitoring checks failed; trying again in {Interval}.", options.Value.SchedulerPollInterval);
            }
        }
    }

    /// <summary>A model whose check is due, its next check moved one interval on; null when none is due.</summary>
    private async Task<string?> ClaimDueAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            UPDATE monitoring.policies SET next_check_at = $1 + make_interval(secs => check_interval_seconds)
            WHERE model = (
                SELECT model FROM monitoring.policies WHERE next_check_at <= $1
                ORDER BY next_check_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING model
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private async Task CheckAsync(string model, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        try
        {
            var policy = await services.GetRequiredService<PolicyStore>().GetAsync(model, cancellationToken);
            var checkScope = CheckScope.Scheduled(model, policy);
            if (await services.GetRequiredService<DriftCheck>().RunAsync(checkScope, policy, cancellationToken) is not { } drift)
            {
                logger.LogInformation("Scheduled check of {Model}: the registry has no production version yet.", model);
                return;
            }

            await services.GetRequiredService<PerformanceCheck>().RunAsync(checkScope, policy, cancellationToken);

            logger.LogInformation("Scheduled check of {Model} version {Version}: dataset drift {Drift}.", model, drift.Version, drift.DatasetDrift);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(exception, "The scheduled check of {Model} failed; it runs again in {Retry}.", model, options.Value.FailedCheckRetry);
            await RetryLaterAsync(model, cancellationToken);
        }
    }

    private async Task RetryLaterAsync(string model, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("UPDATE monitoring.policies SET next_check_at = $2 WHERE model = $1 AND next_check_at > $2");
        command.Parameters.Add(new NpgsqlParameter { Value = model });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() + options.Value.FailedCheckRetry });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
