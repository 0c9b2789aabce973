using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MlOps.Artifacts;
using MlOps.Contracts.Registry;
using MlOps.Mlflow;
using MlOps.ServiceDefaults.Database;
using MlOps.TrainerService.Jobs;
using MlOps.TrainerService.Registry;
using Npgsql;

namespace MlOps.TrainerService.Mlflow;

/// <summary>
/// Sends the outbox to MLflow, oldest entry first, one at a time, from whichever replica holds the mirror's advisory
/// lock. A registered version becomes, in MLflow, a run in the experiment of the same name (our run id, job id, dataset,
/// its version and SHA-256 and the algorithm as tags; the parameters; every stored metric point and the final metrics;
/// the model file and the run's artifacts), then a version of the registered model of the same name, from
/// <c>runs:/&lt;run_id&gt;/model</c>, waited for until READY; a run that ended without a version (failed, canceled)
/// becomes a FAILED or KILLED run with its error as a tag; an alias move sets or deletes the alias. Each step records
/// how far it got (the entry's stage, the id mappings) before the next, so an entry interrupted by an outage resumes
/// where it stopped and MLflow gets each thing once. While MLflow cannot be reached the mirror waits, doubling the
/// wait up to <see cref="MlflowOptions.MaxRetryInterval"/>; the trainer itself never waits for it.
/// </summary>
public sealed partial class MlflowMirror(
    NpgsqlDataSource database,
    SchemaMigrations migrations,
    MlflowClient mlflow,
    IArtifactStore store,
    MlflowMetrics metrics,
    IOptions<MlflowOptions> options,
    TimeProvider time,
    ILogger<MlflowMirror> logger) : BackgroundService
{
    private const long LockKey = 0x6d6c666c6f77; // "mlflow"

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrations.Applied.Task.WaitAsync(stoppingToken);
        var retry = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = options.Value.PollInterval;
            try
            {
                await using var connection = await database.OpenConnectionAsync(stoppingToken);
                if (await Scalar<bool>(connection, "SELECT pg_try_advisory_lock(@key)", stoppingToken, ("key", LockKey)))
                {
                    try
                    {
                        await SendPendingAsync(connection, stoppingToken);
                        retry = FirstRetry;
                    }
                    finally
                    {
                        await Scalar<bool>(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("key", LockKey));
                    }
                }
            }
            catch (Exception exception) when (MlflowException.IsTransient(exception) && !stoppingToken.IsCancellationRequested)
            {
                metrics.CouldNotReach(exception.Message);
                LogUnreachable(exception, retry);
                wait = retry;
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, options.Value.MaxRetryInterval.Ticks));
            }
            catch (NpgsqlException exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogDatabaseFailed(exception);
            }

            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends every pending entry in id order; stops at the first MLflow cannot take (the exception says why).</summary>
    private async Task SendPendingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            metrics.SetPending(await Scalar<long>(connection, "SELECT count(*) FROM trainer.mlflow_outbox WHERE sent_at IS NULL", cancellationToken));
            await using var next = new NpgsqlCommand(
                "SELECT id, kind, payload::text, stage FROM trainer.mlflow_outbox WHERE sent_at IS NULL ORDER BY id LIMIT 1", connection);
            long id;
            string kind, payload;
            int stage;
            await using (var reader = await next.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return;
                }

                (id, kind, payload, stage) = (reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3));
            }

            string? error = null;
            try
            {
                switch (kind)
                {
                    case "version":
                        await SendVersionAsync(connection, id, JsonSerializer.Deserialize<VersionEntry>(payload, Json)!, stage, cancellationToken);
                        break;
                    case "run":
                        var run = JsonSerializer.Deserialize<RunEntry>(payload, Json)!;
                        await SendRunAsync(connection, id, await ReadRunAsync(connection, run.RunId, cancellationToken), stage, null, cancellationToken);
                        break;
                    default:
                        await SendAliasAsync(connection, JsonSerializer.Deserialize<AliasEntry>(payload, Json)!, cancellationToken);
                        break;
                }

                metrics.Reached();
            }
            catch (Exception exception) when (MlflowException.IsTransient(exception))
            {
                await Execute(connection, "UPDATE trainer.mlflow_outbox SET attempts = attempts + 1, last_error = @error WHERE id = @id", CancellationToken.None,
                    ("error", exception.Message), ("id", id));
                throw;
            }
            catch (Exception exception) when (exception is not (OperationCanceledException or NpgsqlException))
            {
                // MLflow refused the entry (a 4xx, a failed registration) or the entry cannot be sent as it stands (a
                // file gone from the store): retrying would not change that, later entries must not wait, and the
                // trainer must not stop over it.
                error = exception.Message;
                LogRefused(id, exception.Message);
            }

            await Execute(connection, "UPDATE trainer.mlflow_outbox SET sent_at = @now, last_error = @error, attempts = attempts + 1 WHERE id = @id", cancellationToken,
                ("now", time.GetUtcNow()), ("error", (object?)error ?? DBNull.Value), ("id", id));
        }
    }

    private async Task SendVersionAsync(NpgsqlConnection connection, long entry, VersionEntry version, int stage, CancellationToken cancellationToken)
    {
        var (runId, modelFile) = await VersionRunAsync(connection, version, cancellationToken);
        var source = await ReadRunAsync(connection, runId, cancellationToken);
        var (_, mlflowRun) = await SendRunAsync(connection, entry, source, stage, modelFile, cancellationToken);

        var key = $"{version.Model}/{version.Version}";
        var mlflowVersion = await MappedAsync(connection, "version", key, cancellationToken);
        if (mlflowVersion is null)
        {
            await mlflow.EnsureRegisteredModelAsync(version.Model, cancellationToken);
            mlflowVersion = (await mlflow.CreateModelVersionAsync(version.Model, $"runs:/{mlflowRun}/model", mlflowRun, cancellationToken)).Version;
            await MapAsync(connection, "version", key, mlflowVersion, cancellationToken);
        }

        await mlflow.WaitUntilReadyAsync(version.Model, mlflowVersion, options.Value.PollInterval, options.Value.ReadyTimeout, cancellationToken);
    }

    /// <summary>
    /// The run in MLflow, step by step from <paramref name="stage"/>: created (and mapped), its parameters and metrics
    /// logged, its files uploaded (the model file when <paramref name="modelFile"/> is given), and ended with its status.
    /// Answers the experiment's and the run's MLflow ids.
    /// </summary>
    private async Task<(string Experiment, string Run)> SendRunAsync(
        NpgsqlConnection connection, long entry, RunSource source, int stage, ModelFileEntry? modelFile, CancellationToken cancellationToken)
    {
        var experiment = await mlflow.GetOrCreateExperimentAsync(source.Experiment, cancellationToken);
        var runId = await MappedAsync(connection, "run", source.RunId.ToString("N"), cancellationToken);
        if (runId is null)
        {
            var run = await mlflow.CreateRunAsync(experiment, source.Name, source.StartedAt, source.Tags, cancellationToken);
            runId = run.RunId;
            await MapAsync(connection, "run", source.RunId.ToString("N"), runId, cancellationToken);
        }

        if (stage < 1)
        {
            await mlflow.LogBatchAsync(runId, await MetricsAsync(connection, source, cancellationToken), source.Parameters, [], cancellationToken);
            stage = await StageAsync(connection, entry, 1, cancellationToken);
        }

        if (stage < 2)
        {
            var root = $"{experiment}/{runId}/artifacts";
            if (modelFile is not null)
            {
                await UploadAsync($"{root}/model/{modelFile.FileName}", modelFile.Key, modelFile.ContentType, cancellationToken);
            }

            foreach (var name in source.RunArtifacts.Where(name => name != RunArtifactNames.Model))
            {
                await UploadAsync($"{root}/{name}", RunArtifactNames.KeyOf(source.RunId, name), "application/json", cancellationToken);
            }

            stage = await StageAsync(connection, entry, 2, cancellationToken);
        }

        if (stage < 3)
        {
            await mlflow.UpdateRunAsync(runId, source.Status, source.FinishedAt, cancellationToken);
            await StageAsync(connection, entry, 3, cancellationToken);
        }

        return (experiment, runId);
    }

    private async Task SendAliasAsync(NpgsqlConnection connection, AliasEntry alias, CancellationToken cancellationToken)
    {
        if (alias.Version is not { } version)
        {
            await mlflow.DeleteAliasAsync(alias.Model, alias.Alias, cancellationToken);
            return;
        }

        var mlflowVersion = await MappedAsync(connection, "version", $"{alias.Model}/{version}", cancellationToken)
            ?? throw new MlflowException("NOT_MIRRORED", $"Version {version} of '{alias.Model}' was registered before mirroring began; the alias has nothing to point at in MLflow.", 400);
        await mlflow.SetAliasAsync(alias.Model, alias.Alias, mlflowVersion, cancellationToken);
    }

    private async Task UploadAsync(string path, string key, string contentType, CancellationToken cancellationToken)
    {
        await using var content = await store.OpenReadAsync(key, cancellationToken);
        await mlflow.UploadArtifactAsync(path, content, contentType, cancellationToken);
    }

    /// <summary>Every stored metric point of the run, then its final metrics at the last step.</summary>
    private static async Task<List<MlflowMetric>> MetricsAsync(NpgsqlConnection connection, RunSource source, CancellationToken cancellationToken)
    {
        var points = new List<MlflowMetric>();
        await using var command = new NpgsqlCommand("SELECT name, step, value, at FROM trainer.run_metrics WHERE run_id = @run ORDER BY name, step", connection);
        command.Parameters.AddWithValue("run", source.RunId);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                points.Add(new MlflowMetric(reader.GetString(0), reader.GetDouble(2), reader.GetFieldValue<DateTimeOffset>(3).ToUnixTimeMilliseconds(), reader.GetInt32(1)));
            }
        }

        var lastStep = points.Count == 0 ? 0 : points.Max(point => point.Step);
        var finished = source.FinishedAt.ToUnixTimeMilliseconds();
        points.AddRange(source.FinalMetrics.Select(metric => new MlflowMetric(metric.Key, metric.Value, finished, lastStep)));
        return points;
    }

    private sealed record RunSource(
        Guid RunId,
        string Name,
        string Experiment,
        MlflowRunStatus Status,
        DateTimeOffset StartedAt,
        DateTimeOffset FinishedAt,
        IReadOnlyList<MlflowKeyValue> Tags,
        IReadOnlyList<MlflowKeyValue> Parameters,
        IReadOnlyDictionary<string, double> FinalMetrics,
        IReadOnlyList<string> RunArtifacts);

    /// <summary>A version's model file as the mirror uploads it: our model file as model.json, an ONNX model as model.onnx.</summary>
    private sealed record ModelFileEntry(string Key, string FileName, string ContentType);

    private static async Task<(Guid RunId, ModelFileEntry File)> VersionRunAsync(NpgsqlConnection connection, VersionEntry version, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT run_id, artifact_key, format FROM trainer.model_versions WHERE model = @model AND version = @version", connection);
        command.Parameters.AddWithValue("model", version.Model);
        command.Parameters.AddWithValue("version", version.Version);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetGuid(0), reader.GetString(2) == ModelFormats.Onnx
                ? new ModelFileEntry(reader.GetString(1), "model.onnx", OnnxExports.ContentType)
                : new ModelFileEntry(reader.GetString(1), MlflowImporter.ModelFileName, "application/json"))
            : throw new MlflowException("NOT_FOUND", $"Version {version.Version} of '{version.Model}' is no longer in the registry.", 404);
    }

    private static async Task<RunSource> ReadRunAsync(NpgsqlConnection connection, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT r.experiment, r.status, r.started_at, r.finished_at, r.parameters::text, r.metrics::text, r.artifacts::text, r.job_id,
                   r.algorithm, r.dataset, r.dataset_version, r.dataset_sha256, r.attempt, r.error, v.model, v.version
            FROM trainer.runs r LEFT JOIN trainer.model_versions v ON v.run_id = r.id
            WHERE r.id = @run
            """,
            connection);
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new MlflowException("NOT_FOUND", $"Run {runId} is no longer recorded.", 404);
        }

        var experiment = reader.GetString(0);
        var status = reader.GetString(1);
        var parameters = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(4))!;
        var artifacts = JsonSerializer.Deserialize<JsonElement>(reader.GetString(6)).EnumerateArray().Select(a => a.GetProperty("name").GetString()!).ToArray();
        List<MlflowKeyValue> tags =
        [
            new("mlops.run_id", runId.ToString()),
            new("mlops.job_id", reader.GetGuid(7).ToString()),
            new("mlops.algorithm", reader.GetString(8)),
            new("mlops.dataset", reader.GetString(9)),
            new("mlops.dataset.version", reader.GetInt32(10).ToString(CultureInfo.InvariantCulture)),
            new("mlops.dataset.sha256", reader.GetString(11)),
        ];
        if (!reader.IsDBNull(13))
        {
            tags.Add(new("mlops.error", reader.GetString(13)));
        }

        var name = reader.IsDBNull(14)
            ? $"{experiment} attempt {reader.GetInt32(12).ToString(CultureInfo.InvariantCulture)}"
            : $"{reader.GetString(14)} v{reader.GetInt32(15).ToString(CultureInfo.InvariantCulture)}";
        var started = reader.GetFieldValue<DateTimeOffset>(2);
        return new RunSource(
            runId,
            name,
            experiment,
            status switch { "succeeded" => MlflowRunStatus.Finished, "canceled" => MlflowRunStatus.Killed, _ => MlflowRunStatus.Failed },
            started,
            reader.IsDBNull(3) ? started : reader.GetFieldValue<DateTimeOffset>(3),
            tags,
            [.. parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new MlflowKeyValue(p.Key, p.Value))],
            JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(5))!,
            artifacts);
    }

    private static async Task<string?> MappedAsync(NpgsqlConnection connection, string kind, string ours, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT mlflow_id FROM trainer.mlflow_mappings WHERE kind = @kind AND our_id = @ours", connection);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.AddWithValue("ours", ours);
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private static Task MapAsync(NpgsqlConnection connection, string kind, string ours, string theirs, CancellationToken cancellationToken) =>
        Execute(connection, "INSERT INTO trainer.mlflow_mappings (kind, our_id, mlflow_id) VALUES (@kind, @ours, @theirs) ON CONFLICT DO NOTHING", cancellationToken,
            ("kind", kind), ("ours", ours), ("theirs", theirs));

    private static async Task<int> StageAsync(NpgsqlConnection connection, long entry, int stage, CancellationToken cancellationToken)
    {
        await Execute(connection, "UPDATE trainer.mlflow_outbox SET stage = @stage WHERE id = @id", cancellationToken, ("stage", stage), ("id", entry));
        return stage;
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MLflow cannot be reached; the outbox keeps what is to send and the mirror tries again in {Retry}.")]
    private partial void LogUnreachable(Exception exception, TimeSpan retry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mirror could not read or write its outbox; it tries again.")]
    private partial void LogDatabaseFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox entry {Entry} could not be mirrored: {Reason}. It is marked sent with the error, so later entries are not held up.")]
    private partial void LogRefused(long entry, string reason);
}
