namespace MlOps.AppHost;

/// <summary>
/// The platform's names and fixed ports in one place: the app model, the Prometheus scrape configuration and the
/// tests derive from it.
/// </summary>
internal static class Platform
{
    public const string Database = "mlopsdb";
    public const string ServicesClientId = "mlops-services";
    public const string Auth = "auth";
    public const string Data = "data";
    public const string Trainer = "trainer";
    public const string Serving = "serving";
    public const string Monitoring = "monitoring";
    public const string Gateway = "gateway";
    public const string Postgres = "postgres";
    public const string Prometheus = "prometheus";
    public const string Grafana = "grafana";
    public const string Mlflow = "mlflow";

    /// <summary>The platform table's ports: fixed in every mode unless configuration moves one (<c>Ports:&lt;name&gt;</c>).</summary>
    public static IReadOnlyDictionary<string, int> DefaultPorts { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        [Gateway] = 8000,
        [Auth] = 8011,
        [Data] = 8012,
        [Trainer] = 8013,
        [Serving] = 8014,
        [Monitoring] = 8015,
        [Postgres] = 54320,
        [Prometheus] = 9090,
    };

    /// <summary>The services behind the gateway, then the gateway: every process Prometheus scrapes.</summary>
    public static IReadOnlyList<string> Services { get; } = [Auth, Data, Trainer, Serving, Monitoring, Gateway];
}
