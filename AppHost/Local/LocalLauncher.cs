using MlOps.Hosting.Local.Networking;
using MlOps.Hosting.Local.Postgres;
using MlOps.Hosting.Local.Processes;

namespace MlOps.AppHost.Local;

/// <summary>
/// Local mode: the platform's topology as local processes. PostgreSQL from the machine's binaries, the services and
/// the gateway from their build output, Prometheus if installed; then one table of URLs once every health endpoint
/// answers, and an orderly stop (gateway, services, Prometheus, PostgreSQL) on Ctrl+C or SIGTERM.
/// </summary>
internal sealed class LocalLauncher(
    LauncherOptions options,
    DataFolder folder,
    BuildOutput build,
    ConsoleLineWriter console,
    TextWriter output,
    TimeProvider timeProvider)
{
    private const int ExitFailure = 1;

    /// <summary>Runs until <paramref name="stopping"/> fires (exit code 0) or a process fails (exit code 1).</summary>
    public async Task<int> RunAsync(CancellationToken stopping)
    {
        folder.Create();
        var prometheusBinary = PrometheusSetup.FindBinary();
        EnsurePortsFree(prometheusBinary is not null);
        var adminPassword = await LocalSecret.ResolveAsync(options.AdminPassword, folder.AdminPasswordFile, "MLOPS_ADMIN_PASSWORD", stopping);
        var servicesClientSecret = await LocalSecret.ResolveAsync(
            options.ServicesClientSecret, folder.ServicesClientSecretFile, "MLOPS_SERVICES_CLIENT_SECRET", stopping);

        await output.WriteLineAsync($"Starting PostgreSQL on 127.0.0.1:{options.PortOf(Platform.Postgres)} (data in {folder.Postgres})");
        var postgres = new PostgresServer(
            new PostgresServerOptions
            {
                DataDirectory = folder.Postgres,
                Port = options.PortOf(Platform.Postgres),
                Database = Platform.Database,
                LogFile = folder.LogOf(Platform.Postgres),
            },
            timeProvider);

        using var tracker = new ChildProcessTracker();
        var launched = new List<LaunchedProcess>();
        try
        {
            var started = await postgres.StartAsync(stopping);
            await output.WriteLineAsync($"PostgreSQL {started.ToString().ToLowerInvariant()}: {postgres.ConnectionString}");

            foreach (var service in Platform.Services)
            {
                launched.Add(StartService(service, postgres.ConnectionString, adminPassword, servicesClientSecret, tracker));
            }

            if (prometheusBinary is not null)
            {
                launched.Add(await StartPrometheusAsync(prometheusBinary, tracker, stopping));
            }

            var failure = await new HealthProbe(CreateHealthClient(), timeProvider)
                .WaitForAllAsync(launched, options.HealthTimeout, stopping);
            if (failure is not null)
            {
                await output.WriteAsync(ReadinessReport.Failure(failure, options.HealthTimeout));
                return ExitFailure;
            }

            await output.WriteAsync(ReadinessReport.Ready(launched, postgres, options, folder, adminPassword, prometheusBinary is not null));
            return await WatchAsync(launched, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped while starting: everything started so far is stopped below.
            return 0;
        }
        finally
        {
            await StopAsync(launched, postgres, tracker);
        }
    }

    /// <summary>Waits for the stop signal; a process that exits before it means the platform is broken.</summary>
    private async Task<int> WatchAsync(List<LaunchedProcess> launched, CancellationToken stopping)
    {
        var stopped = Task.Delay(Timeout.InfiniteTimeSpan, timeProvider, stopping);
        var exited = Task.WhenAny(launched.Select(process => process.Process.Exited));
        if (await Task.WhenAny(stopped, exited) == stopped)
        {
            return 0;
        }

        var failed = launched.First(process => process.Process.HasExited);
        await output.WriteAsync(ReadinessReport.Exited($"{failed.Name} exited with code {await failed.Process.Exited}.", failed));
        return ExitFailure;
    }

    private LaunchedProcess StartService(
        PlatformService service, string connectionString, LocalSecret adminPassword, LocalSecret servicesClientSecret, ChildProcessTracker tracker)
    {
        var assembly = build.AssemblyOf(service.Project);
        var startInfo = new ChildProcessStartInfo(service.Name, ExecutableLocator.FindDotnetHost(), [assembly])
        {
            Environment = ServiceEnvironment.For(service, options, connectionString, folder, adminPassword, servicesClientSecret),
            // The content root (appsettings.json) is the working directory.
            WorkingDirectory = Path.GetDirectoryName(assembly),
            OwnSession = true,
        };
        var process = tracker.Track(ChildProcess.Start(startInfo, Output(service.Name), timeProvider));
        return new LaunchedProcess(service.Name, options.UrlOf(service.Name), "/health", process);
    }

    private async Task<LaunchedProcess> StartPrometheusAsync(string binary, ChildProcessTracker tracker, CancellationToken cancellationToken)
    {
        var arguments = await PrometheusSetup.WriteConfigurationAsync(options, folder, cancellationToken);
        var startInfo = new ChildProcessStartInfo(Platform.Prometheus, binary, arguments)
        {
            WorkingDirectory = folder.Prometheus,
            OwnSession = true,
        };
        var process = tracker.Track(ChildProcess.Start(startInfo, Output(Platform.Prometheus), timeProvider));
        return new LaunchedProcess(Platform.Prometheus, options.UrlOf(Platform.Prometheus), "/-/ready", process);
    }

    private ProcessOutput Output(string name) => new(name, console, folder.LogOf(name), timeProvider);

    /// <summary>The gateway first (no new requests come in), then the services together, Prometheus, PostgreSQL last.</summary>
    private async Task StopAsync(List<LaunchedProcess> launched, PostgresServer postgres, ChildProcessTracker tracker)
    {
        if (launched.Count > 0)
        {
            await output.WriteLineAsync("Stopping the platform…");
        }

        var gateway = launched.Where(process => process.Name == Platform.Gateway);
        var services = launched.Where(process => process.Name is not Platform.Gateway and not Platform.Prometheus);
        var prometheus = launched.Where(process => process.Name == Platform.Prometheus);
        foreach (var stage in new[] { gateway, services, prometheus })
        {
            await Task.WhenAll(stage.Select(process => StopProcessAsync(process.Process, tracker)));
        }

        try
        {
            await postgres.StopAsync(CancellationToken.None);
        }
        catch (PostgresServerException e)
        {
            await output.WriteLineAsync(e.Message);
        }

        await output.WriteLineAsync("Stopped.");
    }

    private async Task StopProcessAsync(ChildProcess process, ChildProcessTracker tracker)
    {
        await process.StopAsync(options.StopTimeout, CancellationToken.None);
        tracker.Forget(process);
        await process.DisposeAsync();
    }

    private void EnsurePortsFree(bool withPrometheus)
    {
        var names = Platform.Services.Select(service => service.Name).ToList();
        if (withPrometheus)
        {
            names.Add(Platform.Prometheus);
        }

        var taken = names.Where(name => !LoopbackPorts.IsFree(options.PortOf(name))).ToList();
        if (taken.Count > 0)
        {
            throw new LauncherException(
                "These ports on 127.0.0.1 are in use: " +
                string.Join(", ", taken.Select(name => $"{options.PortOf(name)} ({name})")) +
                ". Is the platform already running? Stop it, or choose other ports (e.g. Ports__gateway=18000).");
        }
    }

    private static HttpClient CreateHealthClient() => new() { Timeout = TimeSpan.FromSeconds(2) };
}
