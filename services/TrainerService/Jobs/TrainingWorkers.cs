using Microsoft.Extensions.Options;
using MlOps.ServiceDefaults.Database;

namespace MlOps.TrainerService.Jobs;

/// <summary>
/// The replica's workers (<c>Training:Workers</c>): each returns expired jobs to the queue, claims the oldest queued
/// one, runs it, and waits <c>Training:PollInterval</c> when there is none. Errors (the database restarting) are
/// logged and retried after a pause; stopping the host stops the learners and gives their jobs back.
/// </summary>
public sealed partial class TrainingWorkers(
    IServiceScopeFactory scopes,
    JobLeases queue,
    SchemaMigrations migrations,
    TrainingMetrics metrics,
    TimeProvider time,
    IOptions<TrainingOptions> options,
    ILogger<TrainingWorkers> logger) : BackgroundService
{
    private readonly string _replica = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrations.Applied.Task.WaitAsync(stoppingToken);
        var workers = Enumerable.Range(1, options.Value.Workers)
            .Select(number => Task.Run(() => WorkAsync($"{_replica}:{number}", stoppingToken), CancellationToken.None));
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(string worker, CancellationToken stoppingToken)
    {
        var pause = options.Value.PollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await queue.RecoverExpiredAsync(stoppingToken);
                var claim = await queue.ClaimAsync(worker, stoppingToken);
                if (claim is null)
                {
                    metrics.Queued(await queue.CountQueuedAsync(stoppingToken));
                    await Task.Delay(options.Value.PollInterval, time, stoppingToken);
                    continue;
                }

                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<JobExecution>().RunAsync(claim, stoppingToken);
                pause = options.Value.PollInterval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogWorkerError(exception, worker, pause);
                await Task.Delay(pause, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {Worker} hit an error; trying again in {Pause}.")]
    private partial void LogWorkerError(Exception exception, string worker, TimeSpan pause);
}
