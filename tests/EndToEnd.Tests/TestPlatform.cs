using System.Globalization;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using MlOps.TestSupport;
using Xunit;

namespace MlOps.EndToEnd.Tests;

/// <summary>
/// The platform's real app model (<c>AppHost/Program.cs</c>) started by <c>Aspire.Hosting.Testing</c>, with its own
/// data folder and free ports so it never meets a developer's running platform. Started, every resource is healthy.
/// </summary>
public sealed class TestPlatform : IAsyncDisposable
{
    public static readonly string[] Services = ["auth", "data", "trainer", "serving", "monitoring", "gateway"];

    private DistributedApplication? _app;

    public TestPlatform(string home)
    {
        Home = home;
        foreach (var name in Services.Append("postgres").Append("prometheus"))
        {
            Ports[name] = FreePortBelowEphemeralRange();
        }
    }

    public string Home { get; }

    /// <summary>The ports handed to the app model (<c>Ports:&lt;name&gt;</c>), as a second platform on one machine moves them.</summary>
    public Dictionary<string, int> Ports { get; } = new(StringComparer.Ordinal);

    public static bool PrometheusInstalled =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Any(folder => File.Exists(Path.Combine(folder, "prometheus")));

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The platform has not started.");

    /// <summary>The address of a resource's <c>http</c> endpoint as the app model allocated it.</summary>
    public Uri UrlOf(string resource) => App.GetEndpoint(resource, "http");

    public async Task<string?> ConnectionStringAsync() => await App.GetConnectionStringAsync("mlopsdb");

    public async Task StartAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        string[] arguments =
        [
            $"--MlOps:Home={Home}",
            // The end-to-end tests run the machine's PostgreSQL and Prometheus, as on our build machines.
            "--MlOps:Containers=false",
            // Resources are unhealthy until they have started; the AppHost's own log says so at length.
            "--Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks=None",
            .. Ports.Select(port => $"--Ports:{port.Key}={port.Value.ToString(CultureInfo.InvariantCulture)}"),
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(arguments, deadline.Token);
        _app = await builder.BuildAsync(deadline.Token);
        await _app.StartAsync(deadline.Token);
        var watched = Services.Append("postgres").Concat(PrometheusInstalled ? ["prometheus"] : Array.Empty<string>());
        try
        {
            await Task.WhenAll(watched.Select(name => _app.ResourceNotifications.WaitForResourceHealthyAsync(name, deadline.Token)));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            var states = new StringBuilder();
            foreach (var name in watched)
            {
                var state = _app.ResourceNotifications.TryGetCurrentState(name, out var current)
                    ? $"{current.Snapshot.State?.Text} ({current.Snapshot.HealthStatus})"
                    : "unknown";
                states.AppendLine(CultureInfo.InvariantCulture, $"{name}: {state}; last lines:\n{Tail(await LogOfAsync(name), 15)}");
            }

            throw new TimeoutException($"The platform was not healthy within {timeout.TotalSeconds:0} s:\n{states}");
        }
    }

    /// <summary>Everything a resource has printed so far (what the dashboard's console logs show).</summary>
    public async Task<string> LogOfAsync(string resource)
    {
        var lines = new StringBuilder();
        foreach (var id in ResourceIds(resource))
        {
            await foreach (var batch in App.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(id))
            {
                foreach (var line in batch)
                {
                    lines.AppendLine(line.Content);
                }
            }
        }

        return lines.ToString();
    }

    /// <summary>The DCP ids of a resource's instances (a restarted project keeps its id).</summary>
    private IEnumerable<string> ResourceIds(string resource) =>
        App.ResourceNotifications.TryGetCurrentState(resource, out var current) ? [current.ResourceId] : [];

    /// <summary>Stops every resource and the orchestrator, as Ctrl+C does.</summary>
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>
    /// After a stop: every port of the platform is free, no process runs from its data folder, and PostgreSQL was shut
    /// down rather than killed, so the next start has nothing to recover.
    /// </summary>
    public async Task AssertStoppedCleanlyAsync()
    {
        // DCP ends what it started in the background after the stop returns; give it the time it takes.
        await Eventually.ReturnsAsync(
            () => Task.FromResult(string.Join("; ", Ports.Where(p => p.Key != "prometheus" || PrometheusInstalled)
                .Where(p => !LoopbackPorts.IsFree(p.Value)).Select(p => $"{p.Key} on {p.Value}")
                .Concat(ServiceProcesses.Using(Home)))),
            left => left.Length == 0,
            TimeSpan.FromSeconds(60),
            "every port free and no process of the platform left");
        var control = await CommandRunner.RunAsync(
            Path.Combine(PostgresBinaries.Find().Directory, "pg_controldata"), [Path.Combine(Home, "postgres")], CancellationToken.None);
        Assert.Contains("Database cluster state:               shut down", control.Output, StringComparison.Ordinal);
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));

    /// <summary>
    /// Ports the kernel hands out for outgoing connections (32768 and up) can be taken by any client socket between
    /// the moment we pick one and the moment a service binds it, so the platform's ports come from below that range.
    /// </summary>
    private int FreePortBelowEphemeralRange()
    {
        while (true)
        {
            var port = Random.Shared.Next(20000, 32000);
            if (!Ports.ContainsValue(port) && LoopbackPorts.IsFree(port))
            {
                return port;
            }
        }
    }
}
