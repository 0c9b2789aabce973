using Microsoft.Extensions.Options;
using MlOps.Mlflow;
using MlOps.ServiceDefaults.Database;
using MlOps.TrainerService.Registry;
using Npgsql;

namespace MlOps.TrainerService.Mlflow;

/// <summary>
/// Makes our aliases follow MLflow aliases (<see cref="MlflowOptions.Follow"/>), so a team can promote in MLflow's UI
/// and have serving follow. Every <see cref="MlflowOptions.FollowInterval"/>, on whichever replica holds the
/// follower's advisory lock, it reads each followed MLflow alias; when it points at a version that is not yet ours it
/// imports it (<see cref="MlflowImporter"/>), then moves our alias to the version it is, recorded as moved by
/// <c>mlflow</c>. An MLflow alias that is removed leaves ours where it is: serving never loses its model that way.
/// </summary>
public sealed partial class MlflowAliasFollower(
    NpgsqlDataSource database,
    SchemaMigrations migrations,
    MlflowClient mlflow,
    IServiceScopeFactory scopes,
    IOptions<MlflowOptions> options,
    TimeProvider time,
    ILogger<MlflowAliasFollower> logger) : BackgroundService
{
    public const string Actor = "mlflow";

    private const long LockKey = 0x6d6c666c6f66; // "mlflof"

    private readonly Dictionary<MlflowAliasFollow, string?> _lastProblem = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Follow.Count == 0)
        {
            return;
        }

        await migrations.Applied.Task.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(stoppingToken);
                if (await LockAsync(connection, "SELECT pg_try_advisory_lock(@key)", stoppingToken))
                {
                    try
                    {
                        foreach (var follow in options.Value.Follow)
                        {
                            string? problem;
                            try
                            {
                                problem = await FollowAsync(follow, stoppingToken);
                            }
                            catch (Exception exception) when (exception is not (OperationCanceledException or NpgsqlException))
                            {
                                problem = exception.Message;
                            }

                            Report(follow, problem);
                        }
                    }
                    finally
                    {
                        await LockAsync(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None);
                    }
                }
            }
            catch (NpgsqlException exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogDatabaseFailed(exception);
            }

            try
            {
                await Task.Delay(options.Value.FollowInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Moves our alias to the version MLflow's alias points at; answers why it could not, or null.</summary>
    private async Task<string?> FollowAsync(MlflowAliasFollow follow, CancellationToken cancellationToken)
    {
        MlflowModelVersion? target;
        try
        {
            target = await mlflow.GetModelVersionByAliasAsync(follow.Model, follow.MlflowAlias, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutException or MlflowException && !cancellationToken.IsCancellationRequested)
        {
            return $"MLflow could not be read: {exception.Message}";
        }

        if (target is null)
        {
            return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        if (await registry.ImportedAsAsync(follow.Model, target.Version, cancellationToken) is not { } version)
        {
            var importer = scope.ServiceProvider.GetRequiredService<MlflowImporter>();
            var imported = await importer.ImportAsync(new MlflowVersionReference(follow.Model, target.Version, null), null, null, null, Actor, cancellationToken);
            if (imported.Version is not { } importedVersion)
            {
                return $"MLflow version {target.Version} could not be imported: {imported.Problem}";
            }

            version = importedVersion;
        }

        var (result, from) = await registry.MoveAliasAsync(
            follow.Model,
            follow.Alias,
            version,
            Actor,
            $"Follows MLflow alias '{follow.MlflowAlias}' of '{follow.Model}', which points at MLflow version {target.Version}.",
            cancellationToken);
        if (result == AliasMoveResult.Moved)
        {
            LogMoved(follow.Model, follow.Alias, from, version, follow.MlflowAlias, target.Version);
        }

        return null;
    }

    /// <summary>Logs a follow's problem when it changes, not every interval.</summary>
    private void Report(MlflowAliasFollow follow, string? problem)
    {
        if (_lastProblem.GetValueOrDefault(follow) == problem)
        {
            return;
        }

        _lastProblem[follow] = problem;
        if (problem is null)
        {
            LogFollowing(follow.Model, follow.Alias, follow.MlflowAlias);
        }
        else
        {
            LogCannotFollow(follow.Model, follow.Alias, follow.MlflowAlias, problem);
        }
    }

    private static async Task<bool> LockAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", LockKey);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "'{Alias}' of '{Model}' moved from version {From} to {To}, following MLflow alias '{MlflowAlias}' (MLflow version {MlflowVersion}).")]
    private partial void LogMoved(string model, string alias, int? from, int to, string mlflowAlias, string mlflowVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "'{Alias}' of '{Model}' follows MLflow alias '{MlflowAlias}'.")]
    private partial void LogFollowing(string model, string alias, string mlflowAlias);

    [LoggerMessage(Level = LogLevel.Error, Message = "'{Alias}' of '{Model}' cannot follow MLflow alias '{MlflowAlias}': {Problem}")]
    private partial void LogCannotFollow(string model, string alias, string mlflowAlias, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The MLflow alias follower could not use the database; it tries again.")]
    private partial void LogDatabaseFailed(Exception exception);
}
