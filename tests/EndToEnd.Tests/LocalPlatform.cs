using System.Collections.Concurrent;
using System.Diagnostics;

namespace MlOps.EndToEnd.Tests;

/// <summary>
/// The platform as a user starts it: the AppHost's local-mode launcher as a process, with its own data folder and free
/// ports so it never meets a developer's running platform. Started, it has printed the ready line.
/// </summary>
public sealed class LocalPlatform : IAsyncDisposable
{
    public const string ReadyLine = "MlOps platform is ready";

    public static readonly string[] Services = ["auth", "data", "trainer", "serving", "monitoring", "gateway"];

    private readonly ConcurrentQueue<string> _output = new();
    private Process? _launcher;

    public LocalPlatform(string home)
    {
        Home = home;
        foreach (var name in Services.Append("postgres").Append("prometheus"))
        {
            Ports[name] = FreePortBelowEphemeralRange();
        }
    }

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

    public string Home { get; }

    public Dictionary<string, int> Ports { get; } = new(StringComparer.Ordinal);

    public string Output => string.Join('\n', _output);

    public int? ExitCode => _launcher is { HasExited: true } ? _launcher.ExitCode : null;

    public Uri UrlOf(string service) => new($"http://127.0.0.1:{Ports[service]}");

    public string ConnectionString => $"Host=127.0.0.1;Port={Ports["postgres"]};Database=mlopsdb;Username=postgres";

    /// <summary>
    /// The launcher's last lines, last first, so that a failure's first lines (what a truncated test log keeps) say why.
    /// </summary>
    private string LastLines() => string.Join('\n', _output.Reverse().Take(40));

    public string LogOf(string service)
    {
        // The services still hold their log files open; read them shared.
        using var stream = new FileStream(
            Path.Combine(Home, "logs", service + ".log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public async Task StartAsync(TimeSpan timeout)
    {
        var launcherDll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "AppHost",
            new DirectoryInfo(AppContext.BaseDirectory).Name, "AppHost.dll"));
        var start = new ProcessStartInfo("dotnet", [launcherDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Home,
        };
        start.Environment["MLOPS_HOME"] = Home;
        start.Environment["MLOPS_ADMIN_PASSWORD"] = null;
        start.Environment["Launcher__HealthTimeoutSeconds"] = "120";
        foreach (var (name, port) in Ports)
        {
            start.Environment[$"Ports__{name}"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _launcher = new Process { StartInfo = start, EnableRaisingEvents = true };
        _launcher.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }

            _output.Enqueue(line.Data);
            if (line.Data.Contains(ReadyLine, StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        _launcher.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                _output.Enqueue(line.Data);
            }
        };
        _launcher.Exited += (_, _) => ready.TrySetException(
            new InvalidOperationException($"The launcher exited before the platform was ready; its last lines:\n{LastLines()}"));
        _launcher.Start();
        _launcher.BeginOutputReadLine();
        _launcher.BeginErrorReadLine();

        try
        {
            await ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The platform was not ready within {timeout.TotalSeconds:0} s; its last lines:\n{LastLines()}");
        }
    }

    /// <summary>Waits for the launcher to end on its own, as it does when a process of the platform fails.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _launcher!.WaitForExitAsync(deadline.Token);
        return _launcher.ExitCode;
    }

    /// <summary>What Ctrl+C or a service manager does: SIGTERM to the launcher, then wait for it to finish stopping.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (_launcher is null || _launcher.HasExited)
        {
            return _launcher?.ExitCode ?? 0;
        }

        UnixProcess.Terminate(_launcher.Id);
        using var deadline = new CancellationTokenSource(timeout);
        await _launcher.WaitForExitAsync(deadline.Token);
        return _launcher.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_launcher is not null)
        {
            if (!_launcher.HasExited)
            {
                UnixProcess.Terminate(_launcher.Id);
                if (!_launcher.WaitForExit(TimeSpan.FromSeconds(60)))
                {
                    _launcher.Kill(entireProcessTree: true);
                }
            }

            await _launcher.WaitForExitAsync();
            _launcher.Dispose();
        }
    }
}
