using Microsoft.Extensions.Options;
using Npgsql;

namespace MlOps.ServingService.InferenceLog;

/// <summary>
/// Moves records from the queue to the database in batches. When a write fails, the batch goes to the spill files and
/// the database is left alone for <c>InferenceLog:RetryInterval</c>; once a write works again, the spill is replayed
/// in full before anything newer is written, so the log keeps its order. When the spill is full too, the batch is held
/// and retried, the queue fills, and predictions are refused with 503 rather than logged nowhere. A stopping replica
/// writes what it still holds before it exits.
/// </summary>
public sealed partial class InferenceLogWriter(
    InferenceLogBuffer buffer,
    InferenceLogTable table,
    SpillFiles spill,
    InferenceLogMetrics metrics,
    TimeProvider time,
    IOptions<InferenceLogOptions> options,
    ILogger<InferenceLogWriter> logger) : BackgroundService
{
    private long _databaseRetryAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Records spilled by an earlier run go first.
        await PersistAsync([], CancellationToken.None);
        var batch = new List<InferenceRecord>(options.Value.BatchSize);
        try
        {
            while (await WaitForRecordsAsync(stoppingToken))
            {
                await DrainBatchAsync(batch, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        using var deadline = new CancellationTokenSource(options.Value.DrainTimeout);
        try
        {
            while (buffer.Reader.TryPeek(out _))
            {
                await DrainBatchAsync(batch, deadline.Token);
            }
        }
        catch (OperationCanceledException)
        {
            LogDrainTimedOut(buffer.Pending);
        }
    }

    /// <summary>Waits for records; while the spill holds some, wakes every retry interval to replay it even with no traffic.</summary>
    private async Task<bool> WaitForRecordsAsync(CancellationToken stoppingToken)
    {
        while (spill.HasRecords)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(options.Value.RetryInterval);
            try
            {
                return await buffer.Reader.WaitToReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                await PersistAsync([], CancellationToken.None);
            }
        }

        return await buffer.Reader.WaitToReadAsync(stoppingToken);
    }

    /// <summary>
    /// Takes up to <c>BatchSize</c> records, waiting at most <c>FlushInterval</c> after the first for more, so a steady
    /// stream becomes a few large writes a second rather than a transaction per handful of records.
    /// </summary>
    private async Task DrainBatchAsync(List<InferenceRecord> batch, CancellationToken cancellationToken)
    {
        batch.Clear();
        var settings = options.Value;
        var started = time.GetTimestamp();
        while (true)
        {
            while (batch.Count < settings.BatchSize && buffer.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            var remaining = settings.FlushInterval - time.GetElapsedTime(started);
            if (batch.Count >= settings.BatchSize || remaining <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
            {
                break;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(remaining);
            try
            {
                if (!await buffer.Reader.WaitToReadAsync(wait.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await PersistAsync(batch, cancellationToken);
        buffer.Stored(batch.Count);
    }

    private async Task PersistAsync(List<InferenceRecord> batch, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (time.GetTimestamp() >= _databaseRetryAt && await TryDatabaseAsync(batch))
            {
                return;
            }

            if (batch.Count == 0 || spill.TryAppend(batch))
            {
                metrics.Count("spilled", batch.Count);
                return;
            }

            LogSpillFull(batch.Count, spill.Bytes);
            await Task.Delay(options.Value.RetryInterval, time, cancellationToken);
            _databaseRetryAt = 0;
        }
    }

    /// <summary>Replays the spill, then writes the batch; false (and a pause before the next try) when the database fails.</summary>
    private async Task<bool> TryDatabaseAsync(List<InferenceRecord> batch)
    {
        try
        {
            if (spill.HasRecords)
            {
                var replayed = await spill.ReplayAsync(
                    async records =>
                    {
                        await table.WriteAsync(records, CancellationToken.None);
                        metrics.Count("replayed", records.Count);
                    },
                    lost => metrics.Count("dropped", lost));
                LogReplayed(replayed);
            }

            if (batch.Count > 0)
            {
                await table.WriteAsync(batch, CancellationToken.None);
                metrics.Count("logged", batch.Count);
            }

            return true;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            LogDatabaseFailed(exception, options.Value.RetryInterval);
            _databaseRetryAt = time.GetTimestamp() + (long)(options.Value.RetryInterval.TotalSeconds * time.TimestampFrequency);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the inference log failed; records spill to disk and the database is tried again in {Pause}.")]
    private partial void LogDatabaseFailed(Exception exception, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Records} spilled inference-log records into the database.")]
    private partial void LogReplayed(int records);

    [LoggerMessage(Level = LogLevel.Error, Message = "The spill is full ({Bytes} bytes) and the database is unavailable: holding {Records} records; predictions are refused once the queue is full.")]
    private partial void LogSpillFull(int records, long bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stopping with {Records} inference-log records not written: the drain timed out.")]
    private partial void LogDrainTimedOut(long records);
}
