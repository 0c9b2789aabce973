using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MlOps.ServiceDefaults.Database;

/// <summary>
/// Creates and migrates the service's own schema at start-up, and nothing else in the database. Replicas starting
/// together serialize on a PostgreSQL advisory lock keyed by the schema name, so each script runs once, in its own
/// transaction together with its history row. A database that is not reachable yet is retried until the host stops.
/// </summary>
internal sealed partial class SchemaMigrator(
    NpgsqlDataSource dataSource,
    SchemaMigrations migrations,
    TimeProvider time,
    ILogger<SchemaMigrator> logger) : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await MigrateAsync(stoppingToken);
                migrations.Applied.TrySetResult();
                return;
            }
            catch (NpgsqlException exception) when (exception.IsTransient || exception is not PostgresException)
            {
                LogDatabaseUnavailable(logger, migrations.Schema, delay.TotalSeconds, exception.Message);
                await Task.Delay(delay, time, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogMigrationFailed(logger, exception, migrations.Schema);
                migrations.Applied.TrySetException(exception);
                return;
            }
        }
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var schema = migrations.Schema;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, null, "SELECT pg_advisory_lock(hashtext(@schema))", cancellationToken, ("schema", schema));
        try
        {
            await ExecuteAsync(connection, null, $"""
                CREATE SCHEMA IF NOT EXISTS "{schema}";
                CREATE TABLE IF NOT EXISTS "{schema}".schema_migrations (
                    id text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now());
                """, cancellationToken);

            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using (var command = new NpgsqlCommand($"SELECT id FROM \"{schema}\".schema_migrations", connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied.Add(reader.GetString(0));
                }
            }

            foreach (var (id, sql) in migrations.Load())
            {
                if (applied.Contains(id))
                {
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, transaction, $"SET LOCAL search_path TO \"{schema}\";\n{sql}", cancellationToken);
                await ExecuteAsync(connection, transaction, $"INSERT INTO \"{schema}\".schema_migrations (id) VALUES (@id)", cancellationToken, ("id", id));
                await transaction.CommitAsync(cancellationToken);
                LogApplied(logger, schema, id);
            }
        }
        finally
        {
            await ExecuteAsync(connection, null, "SELECT pg_advisory_unlock(hashtext(@schema))", CancellationToken.None, ("schema", schema));
        }
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema {Schema}: applied migration {Migration}")]
    private static partial void LogApplied(ILogger logger, string schema, string migration);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schema {Schema}: database not reachable, retrying in {Seconds}s ({Reason})")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string schema, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Schema {Schema}: migration failed; the service stays unready")]
    private static partial void LogMigrationFailed(ILogger logger, Exception exception, string schema);
}

/// <summary>Ready only once the schema is migrated, so no request meets a half-built schema.</summary>
internal sealed class SchemaMigrationHealthCheck(SchemaMigrations migrations) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var applied = migrations.Applied.Task;
        return Task.FromResult(applied.Status switch
        {
            TaskStatus.RanToCompletion => HealthCheckResult.Healthy($"schema '{migrations.Schema}' is migrated"),
            TaskStatus.Faulted => HealthCheckResult.Unhealthy(
                $"migrating schema '{migrations.Schema}' failed: {applied.Exception!.InnerException!.Message}"),
            _ => HealthCheckResult.Unhealthy($"schema '{migrations.Schema}' is being migrated"),
        });
    }
}
