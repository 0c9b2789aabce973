using System.Globalization;
using MlOps.Clients;
using MlOps.Contracts.Monitoring;
using MlOps.MonitoringService.Policies;
using MlOps.MonitoringService.Retraining;
using MlOps.MonitoringService.Upstream;
using MlOps.MonitoringService.Webhooks;
using Npgsql;

namespace MlOps.MonitoringService.Checks;

/// <summary>
/// What follows a check of a model's production version. The model's state (drifted? decayed?) is updated, a verdict
/// of "not enough data" keeping the previous one and a new production version starting afresh; a change is posted to
/// the policy's webhook. When the check found drift or decay and the policy retrains automatically, the trainer is
/// asked for a job, at most once per cool-down. The model's state row is locked meanwhile, so replicas checking the
/// same model at once neither retrain twice nor lose a change.
/// </summary>
public sealed class CheckOutcomes(
    NpgsqlDataSource database,
    Retrainer retrainer,
    WebhookNotices webhooks,
    RetrainMetrics metrics,
    TimeProvider time,
    ILogger<CheckOutcomes> logger)
{
    private sealed record State(int Version, bool? Drift, bool? Decay);

    public Task DriftCheckedAsync(CheckScope scope, ModelPolicy policy, DriftReport report, CancellationToken cancellationToken) =>
        scope.Alias != CheckScope.DefaultAlias
            ? Task.CompletedTask
            : ApplyAsync(
                scope.Model, report.Version, policy, report.DatasetDrift, decay: null,
                report.DatasetDrift switch
                {
                    true => $"dataset drift: {report.DriftedFeatures} of {report.Features.Count} features drifted (share {report.DriftedShare:0.###}, policy {report.DriftShare:0.###})",
                    false => $"no dataset drift: {report.DriftedFeatures} of {report.Features.Count} features drifted",
                    null => "drift check without a verdict",
                },
                cancellationToken);

    public Task PerformanceCheckedAsync(CheckScope scope, ModelPolicy policy, PerformanceReport report, CancellationToken cancellationToken) =>
        scope.Alias != CheckScope.DefaultAlias
            ? Task.CompletedTask
            : ApplyAsync(
                scope.Model, report.Version, policy, drift: null, report.Decay,
                report.Decay is null
                    ? "performance check without a verdict"
                    : string.Create(
                        CultureInfo.InvariantCulture,
                        $"{(report.Decay.Value ? "performance decay" : "no performance decay")}: {report.PrimaryMetric} {Live(report)} live against {report.Validation.GetValueOrDefault(report.PrimaryMetric):0.####} in validation (drop {report.Drop:P1}, policy {report.MaxDrop:P1})"),
                cancellationToken);

    private static string Live(PerformanceReport report) =>
        report.Live.TryGetValue(report.PrimaryMetric, out var value) ? value.ToString("0.####", CultureInfo.InvariantCulture) : "undefined";

    private async Task ApplyAsync(
        string model, int version, ModelPolicy policy, bool? drift, bool? decay, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var previous = await LockStateAsync(connection, transaction, model, version, now, cancellationToken);
        var basis = previous.Version == version ? previous : new State(version, null, null);
        var next = new State(version, drift ?? basis.Drift, decay ?? basis.Decay);
        var changed = (next.Drift, next.Decay) != (previous.Drift, previous.Decay);
        if (next != previous)
        {
            await using var update = new NpgsqlCommand(
                "UPDATE monitoring.model_states SET version = $2, drift = $3, decay = $4, changed_at = $5 WHERE model = $1", connection, transaction);
            update.Parameters.Add(new NpgsqlParameter { Value = model });
            update.Parameters.Add(new NpgsqlParameter { Value = version });
            update.Parameters.Add(new NpgsqlParameter { Value = (object?)next.Drift ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Boolean });
            update.Parameters.Add(new NpgsqlParameter { Value = (object?)next.Decay ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Boolean });
            update.Parameters.Add(new NpgsqlParameter { Value = now });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        Guid? job = null;
        if (policy.AutoRetrain && (drift == true || decay == true)
            && await CooledDownAsync(connection, transaction, model, now - policy.RetrainCooldown, cancellationToken))
        {
            job = await RetrainAsync(connection, transaction, model, version, reason, now, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (changed && policy.WebhookUrl is { } url)
        {
            webhooks.Enqueue(url, new ModelStateNotice(model, version, next.Drift, next.Decay, previous.Drift, previous.Decay, reason, job, now));
        }
    }

    /// <summary>
    /// The model's state row, created (no verdicts) if it has none, locked until the transaction ends: the empty update
    /// of an existing row takes its lock and returns it as it was.
    /// </summary>
    private static async Task<State> LockStateAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string model, int version, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO monitoring.model_states (model, version, changed_at) VALUES ($1, $2, $3)
            ON CONFLICT (model) DO UPDATE SET model = EXCLUDED.model
            RETURNING version, drift, decay
            """,
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = model });
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new State(
            reader.GetInt32(0),
            reader.IsDBNull(1) ? null : reader.GetBoolean(1),
            reader.IsDBNull(2) ? null : reader.GetBoolean(2));
    }

    /// <summary>Whether the model's last retraining that started a job, if any, is older than <paramref name="since"/>.</summary>
    private static async Task<bool> CooledDownAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string model, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT max(requested_at) FROM monitoring.retrains WHERE model = $1 AND job_id IS NOT NULL", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = model });
        return await command.ExecuteScalarAsync(cancellationToken) is not DateTime last || new DateTimeOffset(last, TimeSpan.Zero) <= since;
    }

    private async Task<Guid?> RetrainAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string model, int version, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Guid? job = null;
        string? error = null;
        try
        {
            job = (await retrainer.RetrainAsync(model, version, cancellationToken)).Id;
            logger.LogInformation("Asked the trainer to retrain {Model} (production version {Version}): job {Job}; {Reason}.", model, version, job, reason);
        }
        catch (ServiceUnavailableException exception)
        {
            error = exception.Message;
            logger.LogWarning("Retraining {Model} failed to start; the next check that finds {Reason} tries again: {Error}", model, reason, error);
        }

        await using var command = new NpgsqlCommand(
            "INSERT INTO monitoring.retrains (model, version, requested_at, reason, job_id, error) VALUES ($1, $2, $3, $4, $5, $6)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = model });
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = reason });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)job ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(cancellationToken);
        metrics.Retrain(model, job is null ? "failed" : "started");
        return job;
    }
}
