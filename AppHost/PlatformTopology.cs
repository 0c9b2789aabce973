namespace MlOps.AppHost;

/// <summary>One process of the platform: its service-discovery name, its project and its port in local mode.</summary>
internal sealed record PlatformService(string Name, string Project, int DefaultPort);

/// <summary>
/// The platform's topology in one place: both run modes, the Prometheus scrape configuration and the readiness
/// table derive from it.
/// </summary>
internal static class Platform
{
    public const string Database = "mlopsdb";
    public const string ServicesClientId = "mlops-services";
    public const string Auth = "auth";
    public const string Gateway = "gateway";
    public const string Postgres = "postgres";
    public const string Prometheus = "prometheus";
    public const int DefaultPostgresPort = 54320;
    public const int DefaultPrometheusPort = 9090;

    /// <summary>In start order: the services, then the gateway that fronts them.</summary>
    public static IReadOnlyList<PlatformService> Services { get; } =
    [
        new(Auth, "AuthService", 8011),
        new("data", "DataService", 8012),
        new("trainer", "TrainerService", 8013),
        new("serving", "ServingService", 8014),
        new("monitoring", "MonitoringService", 8015),
        new(Gateway, "Gateway", 8000),
    ];
}
