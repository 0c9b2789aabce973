using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace MlOps.AppHost.Local;

/// <summary>
/// The launcher's settings, from environment variables and the command line (<c>Ports__gateway=18000</c> or
/// <c>--Ports:gateway=18000</c>), so tests can run a second platform beside a developer's.
/// </summary>
internal sealed class LauncherOptions
{
    private readonly IReadOnlyDictionary<string, int> _ports;

    private LauncherOptions(IReadOnlyDictionary<string, int> ports) => _ports = ports;

    /// <summary>The data folder (<c>MLOPS_HOME</c>), or null for <c>.mlops/</c> under the repository root.</summary>
    public string? Home { get; private init; }

    /// <summary>How long every service has to answer <c>GET /health</c> with 200 (<c>Launcher:HealthTimeoutSeconds</c>).</summary>
    public TimeSpan HealthTimeout { get; private init; } = TimeSpan.FromSeconds(90);

    /// <summary>How long a process has to exit after SIGTERM before it is killed (<c>Launcher:StopTimeoutSeconds</c>).</summary>
    public TimeSpan StopTimeout { get; private init; } = TimeSpan.FromSeconds(10);

    /// <summary>The services' ASP.NET Core environment: the launcher's own if set, else Production.</summary>
    public string EnvironmentName { get; private init; } = "Production";

    /// <summary><c>MLOPS_ADMIN_PASSWORD</c>, when given; otherwise one is generated and stored in the data folder.</summary>
    public string? AdminPassword { get; private init; }

    /// <summary>
    /// <c>MLOPS_SERVICES_CLIENT_SECRET</c>, the secret of the platform's own client, when given; otherwise one is
    /// generated and stored in the data folder. Every service gets it to fetch its service-to-service token.
    /// </summary>
    public string? ServicesClientSecret { get; private init; }

    /// <summary><c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, passed on to every service when set.</summary>
    public string? OtlpEndpoint { get; private init; }

    public static LauncherOptions From(IConfiguration configuration)
    {
        var ports = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
        {
            [Platform.Postgres] = Platform.DefaultPostgresPort,
            [Platform.Prometheus] = Platform.DefaultPrometheusPort,
        };
        foreach (var service in Platform.Services)
        {
            ports[service.Name] = service.DefaultPort;
        }

        foreach (var entry in configuration.GetSection("Ports").GetChildren())
        {
            ports[entry.Key] = ParsePositive(entry.Value, $"Ports:{entry.Key}", max: 65535);
        }

        return new LauncherOptions(ports)
        {
            Home = NullIfEmpty(configuration["MLOPS_HOME"]),
            HealthTimeout = Seconds(configuration, "Launcher:HealthTimeoutSeconds") ?? TimeSpan.FromSeconds(90),
            StopTimeout = Seconds(configuration, "Launcher:StopTimeoutSeconds") ?? TimeSpan.FromSeconds(10),
            EnvironmentName = NullIfEmpty(configuration["DOTNET_ENVIRONMENT"]) ?? NullIfEmpty(configuration["ASPNETCORE_ENVIRONMENT"]) ?? "Production",
            AdminPassword = NullIfEmpty(configuration["MLOPS_ADMIN_PASSWORD"]),
            ServicesClientSecret = NullIfEmpty(configuration["MLOPS_SERVICES_CLIENT_SECRET"]),
            OtlpEndpoint = NullIfEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]),
        };
    }

    public int PortOf(string name) => _ports[name];

    public Uri UrlOf(string name) => new($"http://127.0.0.1:{PortOf(name).ToString(CultureInfo.InvariantCulture)}");

    private static TimeSpan? Seconds(IConfiguration configuration, string key) =>
        configuration[key] is { Length: > 0 } value ? TimeSpan.FromSeconds(ParsePositive(value, key, max: int.MaxValue)) : null;

    private static int ParsePositive(string? value, string key, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number > 0 && number <= max
            ? number
            : throw new LauncherException($"{key} must be a whole number between 1 and {max}, not '{value}'.");

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
