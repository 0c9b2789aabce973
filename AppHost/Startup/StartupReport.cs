using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace MlOps.AppHost.Startup;

/// <summary>
/// The console's side of a start: a few lines when the platform is ready (the services' own logs stay in the
/// dashboard), a resource that fails named with its last log lines, and a service that crashes after the start
/// brought back by the AppHost while the others keep serving.
/// </summary>
internal sealed class StartupReport(
    StartupFacts facts,
    ResourceNotificationService notifications,
    ResourceLoggerService logs,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider) : BackgroundService
{
    /// <summary>The line scripts and tests wait for.</summary>
    public const string ReadyLine = "MlOps platform is ready";

    private const int TailLines = 20;

    /// <summary>A service that crashes this many times without becoming healthy in between is left down.</summary>
    private const int MaxRestartsWithoutRecovery = 3;

    private readonly ConcurrentDictionary<string, int> _restarts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _reported = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var notice in facts.Notices)
        {
            await Console.Out.WriteLineAsync(notice);
        }

        var ready = ReportReadyAsync(stoppingToken);
        await WatchAsync(stoppingToken);
        await ready;
    }

    private async Task ReportReadyAsync(CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        try
        {
            await Task.WhenAll(facts.Watched.Select(name => notifications.WaitForResourceHealthyAsync(name, cancellationToken)));
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var report = new StringBuilder()
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{ReadyLine} ({timeProvider.GetElapsedTime(started).TotalSeconds:0} s after the AppHost started its resources)")
            .AppendLine(CultureInfo.InvariantCulture, $"  Gateway:      {facts.Gateway}")
            .AppendLine(CultureInfo.InvariantCulture, $"  Data folder:  {facts.Home}")
            .AppendLine("  Traces, logs and metrics of every service: the dashboard, at the login link above.");
        report.AppendLine(facts.NewAdminPassword is { } password
            ? $"  Admin password (shown this once; also in {Path.Combine(facts.Home, "admin-password")}): {password}"
            : $"  Admin password: in {Path.Combine(facts.Home, "admin-password")} (or your Parameters__admin-password)");
        await Console.Out.WriteAsync(report.AppendLine("  Press Ctrl+C to stop everything.").ToString());
    }

    /// <summary>Names each watched resource that fails or exits, with its last lines, and restarts a crashed one.</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(cancellationToken))
            {
                var name = update.Resource.Name;
                if (!facts.Watched.Contains(name))
                {
                    continue;
                }

                var state = update.Snapshot.State?.Text;
                if (state != KnownResourceStates.FailedToStart && state != KnownResourceStates.Exited && state != KnownResourceStates.Finished)
                {
                    // Starting again (restarted here or from the dashboard): its next end is news again.
                    _reported.TryRemove(update.ResourceId, out _);
                    if (state == KnownResourceStates.Running && update.Snapshot.HealthStatus == HealthStatus.Healthy)
                    {
                        _restarts.TryRemove(name, out _);
                    }
                }
                else if (!lifetime.ApplicationStopping.IsCancellationRequested && _reported.TryAdd(update.ResourceId, true))
                {
                    await ReportFailureAsync(update, state, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }
    }

    private async Task ReportFailureAsync(ResourceEvent update, string state, CancellationToken cancellationToken)
    {
        var name = update.Resource.Name;
        var what = state == KnownResourceStates.FailedToStart
            ? $"{name} failed to start"
            : $"{name} exited" + (update.Snapshot.ExitCode is { } code ? $" with code {code}" : string.Empty);
        var report = new StringBuilder().AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{what}. Its last lines:");
        var lines = new List<string>();
        await foreach (var batch in logs.GetAllAsync(update.ResourceId).WithCancellation(cancellationToken))
        {
            lines.AddRange(batch.Select(line => line.Content));
        }

        foreach (var line in lines.TakeLast(TailLines))
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"  | {line}");
        }

        if (lines.Count == 0)
        {
            report.AppendLine("  (it printed nothing)");
        }

        var restarts = _restarts.AddOrUpdate(name, 1, (_, count) => count + 1);
        var restart = update.Resource is ProjectResource && restarts <= MaxRestartsWithoutRecovery;
        report.AppendLine(restart
            ? $"The other services keep running; restarting {name} (attempt {restarts} of {MaxRestartsWithoutRecovery})."
            : $"The other services keep running; {name} stays down until restarted from the dashboard.");
        await Console.Out.WriteAsync(report.ToString());

        if (restart)
        {
            await Task.Delay(TimeSpan.FromSeconds(restarts), timeProvider, cancellationToken);
            var result = await commands.ExecuteCommandAsync(update.ResourceId, KnownResourceCommands.RestartCommand, cancellationToken);
            if (!result.Success)
            {
                await Console.Out.WriteLineAsync($"Restarting {name} failed: {result.Message}");
            }
        }
    }
}
