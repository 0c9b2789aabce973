using System.Globalization;
using System.Text;
using MlOps.Hosting.Local.Processes;

namespace MlOps.AppHost.Local;

/// <summary>Prometheus, when the machine has it: a scrape job per service on its <c>/metrics</c>.</summary>
internal static class PrometheusSetup
{
    public const string InstallHint = "apt-get install -y prometheus";

    /// <summary>How the Prometheus container of Aspire mode reaches the services, which run on the host.</summary>
    public const string ContainerHostName = "host.docker.internal";

    /// <summary>Aspire mode mounts this folder into its Prometheus container.</summary>
    public const string DeployFolder = "deploy/prometheus";

    public static string? FindBinary() => ExecutableLocator.FindOnPath("prometheus");

    public static string ConfigurationFor(LauncherOptions options) =>
        ConfigurationFor(options, "127.0.0.1", "Written by the MlOps AppHost (local mode) on every start; edits are overwritten.");

    /// <summary>
    /// The variant committed as <c>deploy/prometheus/prometheus.yml</c> for Aspire mode: the same jobs and fixed ports,
    /// reached from inside a container. A test keeps the committed file equal to this.
    /// </summary>
    public static string ContainerConfigurationFor(LauncherOptions options) =>
        ConfigurationFor(options, ContainerHostName, "Aspire mode's Prometheus container; generated from AppHost/PlatformTopology.cs (see PrometheusSetupTests).");

    private static string ConfigurationFor(LauncherOptions options, string host, string header)
    {
        var yaml = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# {header}")
            .AppendLine("global:")
            .AppendLine("  scrape_interval: 5s")
            .AppendLine("  evaluation_interval: 5s")
            .AppendLine("scrape_configs:");
        foreach (var service in Platform.Services)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - job_name: {service.Name}")
                .AppendLine("    metrics_path: /metrics")
                .AppendLine("    static_configs:")
                .AppendLine(CultureInfo.InvariantCulture, $"      - targets: ['{host}:{options.PortOf(service.Name)}']");
        }

        return yaml.ToString();
    }

    public static async Task<IReadOnlyList<string>> WriteConfigurationAsync(
        LauncherOptions options, DataFolder folder, CancellationToken cancellationToken)
    {
        var configFile = Path.Combine(folder.Prometheus, "prometheus.yml");
        await File.WriteAllTextAsync(configFile, ConfigurationFor(options), cancellationToken);
        return
        [
            $"--config.file={configFile}",
            $"--storage.tsdb.path={Path.Combine(folder.Prometheus, "data")}",
            $"--web.listen-address=127.0.0.1:{options.PortOf(Platform.Prometheus).ToString(CultureInfo.InvariantCulture)}",
        ];
    }
}
