using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace MlOps.AppHost.Hosting;

/// <summary>
/// What the app model reads from configuration (<c>appsettings.json</c>, environment variables such as
/// <c>MlOps__Home</c> or <c>Ports__gateway</c>, the command line): where data lives, the ports of the platform
/// table, and whether backing services run as containers.
/// </summary>
internal sealed class PlatformOptions
{
    private const string SolutionFile = "MlOps.Aspire.sln";

    private readonly Dictionary<string, int> _ports;

    private PlatformOptions(string home, Dictionary<string, int> ports, bool useContainers, double traceSampleRatio)
    {
        Home = home;
        _ports = ports;
        UseContainers = useContainers;
        TraceSampleRatio = traceSampleRatio;
    }

    /// <summary>The data folder (<c>MlOps:Home</c>): PostgreSQL's data, artifacts, secrets, Prometheus.</summary>
    public string Home { get; }

    /// <summary>
    /// True where a container runtime answers (or <c>MlOps:Containers=true</c>): PostgreSQL, Prometheus, Grafana and
    /// MLflow run as containers. False: PostgreSQL and Prometheus run from the machine's binaries.
    /// </summary>
    public bool UseContainers { get; }

    /// <summary>
    /// The share of requests whose traces are recorded and exported (<c>MlOps:TraceSampleRatio</c>, 0 to 1, default 1:
    /// every request, as a dashboard beside the code expects). A trace is kept or dropped whole: a service follows the
    /// decision of its caller and decides by trace id only where a trace begins. Metrics and logs are never sampled.
    /// </summary>
    public double TraceSampleRatio { get; }

    public string Artifacts => Path.Combine(Home, "artifacts");

    public string InferenceSpill => Path.Combine(Home, "inference-spill");

    /// <summary>Pictures' embeddings kept by picture and encoder for the trainer (docs/training.md#pictures).</summary>
    public string Embeddings => Path.Combine(Home, "embeddings");

    public string PostgresData => Path.Combine(Home, "postgres");

    public string PrometheusFolder => Path.Combine(Home, "prometheus");

    public int PortOf(string name) => _ports[name];

    /// <summary>
    /// Creates the data folder, traversable by others whatever the umask: as root, PostgreSQL runs as the postgres
    /// user, which must reach its cluster inside.
    /// </summary>
    public void PrepareHome()
    {
        const UnixFileMode traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        foreach (var folder in new[] { Home, Artifacts })
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, traversable);
            }
        }
    }

    public static PlatformOptions From(IConfiguration configuration, string appHostDirectory, bool isPublishMode)
    {
        var ports = new Dictionary<string, int>(Platform.DefaultPorts, StringComparer.Ordinal);
        foreach (var entry in configuration.GetSection("Ports").GetChildren())
        {
            if (!ports.ContainsKey(entry.Key))
            {
                throw new PlatformStartException(
                    $"Ports:{entry.Key} names no resource of the platform; the ports that can move are {string.Join(", ", ports.Keys)}.");
            }

            ports[entry.Key] = int.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                ? port
                : throw new PlatformStartException($"Ports:{entry.Key} must be a port number between 1 and 65535, not '{entry.Value}'.");
        }

        var home = configuration["MlOps:Home"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(RepositoryRoot(appHostDirectory), ".mlops");
        var useContainers = isPublishMode || (configuration["MlOps:Containers"] is { Length: > 0 } forced
            ? bool.TryParse(forced, out var value) ? value : throw new PlatformStartException($"MlOps:Containers must be true or false, not '{forced}'.")
            : ContainerRuntime.Answers());
        var traceSampleRatio = configuration["MlOps:TraceSampleRatio"] is { Length: > 0 } ratio
            ? double.TryParse(ratio, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and <= 1
                ? parsed
                : throw new PlatformStartException($"MlOps:TraceSampleRatio must be a number from 0 to 1 (e.g. 0.05), not '{ratio}'.")
            : 1.0;
        return new PlatformOptions(home, ports, useContainers, traceSampleRatio);
    }

    /// <summary>
    /// Fails the start when a port the platform binds on the host is taken, before anything is started: otherwise the
    /// service that cannot bind it fails later, among the others' start-up.
    /// </summary>
    public void EnsurePortsFree(IEnumerable<string> names)
    {
        var taken = names.Where(name => !IsFree(PortOf(name))).ToList();
        if (taken.Count > 0)
        {
            throw new PlatformStartException(
                "These ports on 127.0.0.1 are in use: " +
                string.Join(", ", taken.Select(name => $"{PortOf(name)} ({name})")) +
                ". Is the platform already running? Stop it, or move ours (e.g. Ports__gateway=18000).");
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string RepositoryRoot(string appHostDirectory)
    {
        for (var directory = new DirectoryInfo(appHostDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }

        throw new PlatformStartException(
            $"The repository root (the folder holding {SolutionFile}) was not found above {appHostDirectory}; set MlOps__Home to a data folder.");
    }
}
