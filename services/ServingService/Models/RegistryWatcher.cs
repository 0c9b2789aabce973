using Microsoft.Extensions.Options;
using MlOps.Clients;

namespace MlOps.ServingService.Models;

/// <summary>
/// Follows the registry's change feed (a long-poll on <c>GET /api/models/changes</c>) and hands every change to the
/// catalog, so an alias move reaches serving within one round trip. Between polls it retries failed loads.
/// </summary>
public sealed partial class RegistryWatcher(
    ModelCatalog catalog, IHttpClientFactory clients, TimeProvider time, IOptions<ServingOptions> options, ILogger<RegistryWatcher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var registry = new RegistryClient(clients.CreateClient(ModelCatalog.RegistryClientName));
        // From revision 0: the first answers page through every model, which brings any alias loaded before the
        // watcher caught up in line too.
        long after = 0;
        var pause = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var changes = await registry.GetChangesAsync(after, options.Value.ChangeWait, stoppingToken);
                foreach (var change in changes.Models)
                {
                    await catalog.ApplyAsync(change, stoppingToken);
                }

                after = changes.Revision;
                await catalog.RetryFailedAsync(stoppingToken);
                pause = TimeSpan.FromMilliseconds(500);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogWatchFailed(exception, pause);
                await Task.Delay(pause, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Following the registry's changes failed; trying again in {Pause}.")]
    private partial void LogWatchFailed(Exception exception, TimeSpan pause);
}
