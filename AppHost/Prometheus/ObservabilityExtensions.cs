using System.Globalization;
using MlOps.AppHost.Hosting;

namespace MlOps.AppHost.Prometheus;

internal static class ObservabilityExtensions
{
    /// <summary>
    /// Prometheus with the platform's scrape jobs and rules: the container where a container runtime answers (and in
    /// the manifest), the machine's own binary otherwise, or nothing with a notice when neither is there.
    /// </summary>
    public static void AddPlatformPrometheus(this IDistributedApplicationBuilder builder, PlatformOptions platform, ICollection<string> notices, ICollection<string> watched)
    {
        if (platform.UseContainers)
        {
            // deploy/prometheus/prometheus.yml scrapes the services on the host at their fixed ports and loads the rules.
            builder.AddContainer(Platform.Prometheus, "prom/prometheus")
                .WithBindMount(Path.Combine("..", PrometheusConfiguration.DeployFolder), "/etc/prometheus", isReadOnly: true)
                .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway")
                .WithHttpEndpoint(targetPort: 9090, name: "http");
            return;
        }

        if (FindOnPath(Platform.Prometheus) is not { } binary)
        {
            notices.Add("Prometheus is not installed, so it is left out: `apt-get install -y prometheus` adds it on the next start.");
            return;
        }

        var folder = platform.PrometheusFolder;
        Directory.CreateDirectory(folder);
        var configFile = PrometheusConfiguration.WriteForHost(folder, PrometheusConfiguration.RulesSource(builder.AppHostDirectory), platform.PortOf);
        var port = platform.PortOf(Platform.Prometheus);
        builder.AddExecutable(
                Platform.Prometheus, binary, folder,
                $"--config.file={configFile}",
                $"--storage.tsdb.path={Path.Combine(folder, "data")}",
                $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}")
            .WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: false)
            .WithHttpHealthCheck("/-/ready");
        watched.Add(Platform.Prometheus);
    }

    /// <summary>
    /// Grafana with the Prometheus data source and the four dashboards provisioned (deploy/grafana/provisioning):
    /// viewing needs no login, editing does. A container only: Grafana is not a Debian package.
    /// </summary>
    public static void AddPlatformGrafana(this IDistributedApplicationBuilder builder, PlatformOptions platform, ICollection<string> notices)
    {
        if (!platform.UseContainers)
        {
            notices.Add("Grafana runs only as a container and no container runtime answers, so it is left out: import deploy/grafana/provisioning/dashboards into a Grafana of yours.");
            return;
        }

        builder.AddContainer(Platform.Grafana, "grafana/grafana")
            .WithBindMount("../deploy/grafana/provisioning", "/etc/grafana/provisioning", isReadOnly: true)
            .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
            .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
            .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "/etc/grafana/provisioning/dashboards/platform.json")
            .WithHttpEndpoint(targetPort: 3000, name: "http");
    }

    /// <summary>
    /// MLflow with its own SQLite store and artifact folder on a volume (the image has neither psycopg2 nor boto3),
    /// serving artifacts itself: the trainer's mirror uploads through the tracking server's artifact proxy
    /// (docs/mlflow.md). Without a container runtime the trainer mirrors to <c>MLflow__TrackingUri</c> when set.
    /// </summary>
    public static IResourceBuilder<ContainerResource>? AddPlatformMlflow(this IDistributedApplicationBuilder builder, PlatformOptions platform, ICollection<string> notices)
    {
        if (!platform.UseContainers)
        {
            notices.Add("MLflow runs only as a container and no container runtime answers, so it is left out: set MLflow__TrackingUri to a server of yours to mirror runs to it.");
            return null;
        }

        return builder.AddContainer(Platform.Mlflow, "ghcr.io/mlflow/mlflow")
            .WithVolume("mlops-mlflow", "/mlflow")
            .WithArgs(
                "mlflow", "server", "--host", "0.0.0.0", "--port", "5000",
                "--backend-store-uri", "sqlite:////mlflow/mlflow.db",
                "--serve-artifacts", "--artifacts-destination", "/mlflow/artifacts")
            .WithHttpEndpoint(targetPort: 5000, name: "http");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
