using Microsoft.Extensions.Options;
using MlOps.TrainerService.Mlflow;
using Npgsql;
using NpgsqlTypes;

namespace MlOps.TrainerService.Jobs;

/// <summary>A job a worker holds: which one, which attempt, and the run that records the attempt.</summary>
public sealed record ClaimedJob(Guid JobId, int Attempt, Guid RunId, string Worker);

/// <summary>What a lease renewal learned: whether the worker still holds the job, and whether a cancel was asked for.</summary>
public readonly record struct LeaseState(bool Held, bool CancelRequested);

/// <summary>A metric value at a step, buffered by a running job and written in batches.</summary>
public readonly record struct MetricSample(string Name, int Step, double Value, DateTimeOffset At);

/// <summary>
/// The queue in the jobs table, and the leases that hold its running jobs. Claiming takes the oldest queued job with <c>FOR UPDATE SKIP LOCKED</c>, so workers in
/// any number of replicas never take the same one, and opens the attempt's run in the same transaction. Every change
/// of a running job names the attempt and the worker, so a worker that lost its lease cannot touch the job again.
/// </summary>
public sealed class JobLeases(NpgsqlDataSource database, TimeProvider time, IOptions<TrainingOptions> options, IOptions<MlflowOptions> mlflow)
{
    public async Task<ClaimedJob?> ClaimAsync(string worker, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var runId = Guid.CreateVersion7(now);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var claim = new NpgsqlCommand(
            """
            UPDATE trainer.jobs
            SET status = 'running', attempts = attempts + 1, lease_owner = @worker, lease_expires_at = @expires,
                started_at = coalesce(started_at, @now), run_id = @run, progress = NULL
            WHERE id = (
                SELECT id FROM trainer.jobs WHERE status = 'queued'
                ORDER BY created_at, id
                FOR UPDATE SKIP LOCKED
                LIMIT 1)
            RETURNING id, attempts, experiment
            """,
            connection,
            transaction);
        claim.Parameters.AddWithValue("worker", worker);
        claim.Parameters.AddWithValue("expires", now + options.Value.LeaseDuration);
        claim.Parameters.AddWithValue("now", now);
        claim.Parameters.AddWithValue("run", runId);
        Guid jobId;
        int attempt;
        string experiment;
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            (jobId, attempt, experiment) = (reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2));
        }

        await using var open = new NpgsqlCommand(
            """
            INSERT INTO trainer.experiments (name, created_at) VALUES (@experiment, @now) ON CONFLICT (name) DO NOTHING;
            INSERT INTO trainer.runs (id, experiment, job_id, attempt, status, worker, algorithm, task, target, parameters,
                                      dataset, dataset_version, dataset_sha256, started_at)
            SELECT @run, experiment, id, attempts, 'running', @worker, algorithm, task, target, hyperparameters,
                   dataset, dataset_version, dataset_sha256, @now
            FROM trainer.jobs WHERE id = @job;
            """,
            connection,
            transaction);
        open.Parameters.AddWithValue("experiment", experiment);
        open.Parameters.AddWithValue("now", now);
        open.Parameters.AddWithValue("run", runId);
        open.Parameters.AddWithValue("worker", worker);
        open.Parameters.AddWithValue("job", jobId);
        await open.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ClaimedJob(jobId, attempt, runId, worker);
    }

    /// <summary>
    /// Extends the lease and stores progress, when the worker still holds the job; also says whether a cancel was asked
    /// for. Metric samples are written in the same transaction, so they are written once even when a renewal is retried.
    /// </summary>
    public async Task<LeaseState> RenewAsync(
        ClaimedJob job, string? progressJson, IReadOnlyList<MetricSample> samples, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var renew = new NpgsqlCommand(
            """
            UPDATE trainer.jobs SET lease_expires_at = @expires, progress = coalesce(@progress::jsonb, progress)
            WHERE id = @job AND status = 'running' AND lease_owner = @worker AND attempts = @attempt
            RETURNING cancel_requested
            """,
            connection,
            transaction);
        renew.Parameters.AddWithValue("expires", now + options.Value.LeaseDuration);
        renew.Parameters.Add(new NpgsqlParameter("progress", NpgsqlDbType.Text) { Value = (object?)progressJson ?? DBNull.Value });
        renew.Parameters.AddWithValue("job", job.JobId);
        renew.Parameters.AddWithValue("worker", job.Worker);
        renew.Parameters.AddWithValue("attempt", job.Attempt);
        var cancel = await renew.ExecuteScalarAsync(cancellationToken);
        if (cancel is not bool cancelRequested)
        {
            return new LeaseState(false, false);
        }

        if (samples.Count > 0)
        {
            await using var writer = await connection.BeginBinaryImportAsync(
                "COPY trainer.run_metrics (run_id, name, step, value, at) FROM STDIN (FORMAT BINARY)", cancellationToken);
            foreach (var sample in samples)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(job.RunId, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(sample.Name, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(sample.Step, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(sample.Value, NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(sample.At, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new LeaseState(true, cancelRequested);
    }

    /// <summary>
    /// Returns jobs whose lease expired (their worker died or lost the database for longer than the lease) to the queue,
    /// or fails them once they used every attempt, and marks the lost attempts' runs failed. Safe to run from every
    /// worker at once: expired rows are taken with SKIP LOCKED.
    /// </summary>
    public async Task<int> RecoverExpiredAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var recover = new NpgsqlCommand(
            """
            WITH expired AS (
                SELECT id, attempts, max_attempts, cancel_requested, lease_owner FROM trainer.jobs
                WHERE status = 'running' AND lease_expires_at < @now
                FOR UPDATE SKIP LOCKED),
            lost_runs AS (
                UPDATE trainer.runs r
                SET status = 'failed', finished_at = @now,
                    error = 'The worker ' || e.lease_owner || ' stopped renewing its lease (it died or lost the database); the attempt was abandoned.'
                FROM expired e WHERE r.job_id = e.id AND r.status = 'running'
                RETURNING r.id),
            mirrored AS (
                INSERT INTO trainer.mlflow_outbox (kind, payload, created_at)
                SELECT 'run', jsonb_build_object('runId', id), @now FROM lost_runs WHERE @mirror)
            UPDATE trainer.jobs j
            SET status = CASE WHEN e.cancel_requested THEN 'canceled'
                              WHEN e.attempts >= e.max_attempts THEN 'failed'
                              ELSE 'queued' END,
                error = CASE WHEN e.cancel_requested THEN 'Canceled while its worker was lost.'
                             WHEN e.attempts >= e.max_attempts
                             THEN 'Gave up after ' || e.attempts || ' attempts: the last worker (' || e.lease_owner || ') stopped renewing its lease.'
                             ELSE j.error END,
                finished_at = CASE WHEN e.cancel_requested OR e.attempts >= e.max_attempts THEN @now END,
                lease_owner = NULL, lease_expires_at = NULL, progress = NULL
            FROM expired e WHERE j.id = e.id
            """,
            connection);
        recover.Parameters.AddWithValue("now", now);
        recover.Parameters.AddWithValue("mirror", mlflow.Value.Enabled);
        return await recover.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Ends the attempt as failed; the job goes back to the queue when <paramref name="retry"/> and attempts remain.</summary>
    public Task<bool> FailAsync(ClaimedJob job, string error, bool retry, string? timingsJson, CancellationToken cancellationToken) =>
        EndAttemptAsync(
            job,
            "failed",
            error,
            timingsJson,
            retry ? "CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END" : "'failed'",
            cancellationToken);

    /// <summary>Ends the attempt and the job as canceled, as the user asked.</summary>
    public Task<bool> CancelAsync(ClaimedJob job, CancellationToken cancellationToken) =>
        EndAttemptAsync(job, "canceled", "Canceled on request.", null, "'canceled'", cancellationToken);

    /// <summary>Gives the job back to the queue because this worker is stopping; the attempt's run ends as canceled.</summary>
    public Task<bool> ReleaseAsync(ClaimedJob job, CancellationToken cancellationToken) =>
        EndAttemptAsync(job, "canceled", $"Released: the worker {job.Worker} shut down; the job went back to the queue.", null, "'queued'", cancellationToken);

    /// <summary>
    /// Ends the run and moves the job to <paramref name="jobStatusSql"/>, if this worker still holds it. A job that ends
    /// keeps the error; a job going back to the queue gives up its lease.
    /// </summary>
    private async Task<bool> EndAttemptAsync(
        ClaimedJob job, string runStatus, string error, string? timingsJson, string jobStatusSql, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var end = new NpgsqlCommand(
            $"""
            UPDATE trainer.jobs
            SET status = {jobStatusSql}, error = @error, lease_owner = NULL, lease_expires_at = NULL,
                finished_at = CASE WHEN {jobStatusSql} = 'queued' THEN NULL ELSE @now END
            WHERE id = @job AND status = 'running' AND lease_owner = @worker AND attempts = @attempt
            """,
            connection,
            transaction);
        end.Parameters.AddWithValue("error", error);
        end.Parameters.AddWithValue("now", now);
        end.Parameters.AddWithValue("job", job.JobId);
        end.Parameters.AddWithValue("worker", job.Worker);
        end.Parameters.AddWithValue("attempt", job.Attempt);
        if (await end.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return false;
        }

        await using var run = new NpgsqlCommand(
            """
            UPDATE trainer.runs SET status = @status, error = @error, finished_at = @now, timings = coalesce(@timings::jsonb, timings)
            WHERE id = @run AND status = 'running'
            """,
            connection,
            transaction);
        run.Parameters.AddWithValue("status", runStatus);
        run.Parameters.AddWithValue("error", error);
        run.Parameters.AddWithValue("now", now);
        run.Parameters.Add(new NpgsqlParameter("timings", NpgsqlDbType.Text) { Value = (object?)timingsJson ?? DBNull.Value });
        run.Parameters.AddWithValue("run", job.RunId);
        if (await run.ExecuteNonQueryAsync(cancellationToken) > 0 && mlflow.Value.Enabled)
        {
            // A run that ends without a version is mirrored on its own (a registered version brings its run along).
            await using var mirror = new NpgsqlCommand(
                "INSERT INTO trainer.mlflow_outbox (kind, payload, created_at) VALUES ('run', jsonb_build_object('runId', @run), @now)",
                connection,
                transaction);
            mirror.Parameters.AddWithValue("run", job.RunId);
            mirror.Parameters.AddWithValue("now", now);
            await mirror.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<long> CountQueuedAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT count(*) FROM trainer.jobs WHERE status = 'queued'");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
