using System.Collections.Concurrent;
using System.Diagnostics;

namespace MlOps.TestSupport;

/// <summary>
/// A platform service run as its own process from its build output (the test project references it with
/// <c>ReferenceOutputAssembly="false"</c> so it is built), configured through the environment, on a free loopback
/// port. A test may kill it; disposing stops it.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _process.OutputDataReceived += (_, line) => Keep(line.Data);
        _process.ErrorDataReceived += (_, line) => Keep(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public int Id => _process.Id;

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    public static async Task<ServiceProcess> StartAsync(string service, IReadOnlyDictionary<string, string> settings)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Name;
        var dll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", service, configuration, service + ".dll"));
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: reference {service} from the test project so it is built.");
        }

        var address = new Uri($"http://127.0.0.1:{LoopbackPorts.FindFree()}");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/');
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var started = new ServiceProcess(Process.Start(start)!, address);
        try
        {
            using var probe = new HttpClient { BaseAddress = address };
            await Readiness.WaitAsync(probe, service, () =>
            {
                if (started._process.HasExited)
                {
                    throw new InvalidOperationException($"{service} exited with {started._process.ExitCode}:\n{started.Output}");
                }
            });
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }

        return started;
    }

    /// <summary>Kills the process at once, as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }
}
