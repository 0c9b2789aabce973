using MlOps.ServiceDefaults.Database;
using Npgsql;

namespace MlOps.TrainerService.Registry;

/// <summary>
/// Wakes long-polls on the registry when a model changes in any replica: registry writes send a PostgreSQL
/// <c>NOTIFY</c> on <see cref="Channel"/> when they commit, and this service <c>LISTEN</c>s on one connection. A
/// waiter takes <see cref="Next"/> before reading the registry and awaits it only if nothing had changed, so no change
/// falls between the read and the wait. After a reconnect it wakes everyone, since notifications may have been missed.
/// </summary>
public sealed class ModelChangeSignal(NpgsqlDataSource database, SchemaMigrations migrations, ILogger<ModelChangeSignal> logger)
    : BackgroundService
{
    public const string Channel = "trainer_model_changes";

    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next change after this call.</summary>
    public Task Next()
    {
        lock (_gate)
        {
            return _next.Task;
        }
    }

    public void Pulse()
    {
        TaskCompletionSource current;
        lock (_gate)
        {
            current = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        current.TrySetResult();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrations.Applied.Task.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => Pulse();
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                Pulse();
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Listening for registry changes failed; reconnecting.");
                Pulse();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
