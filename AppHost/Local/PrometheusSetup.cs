using System.Globalization;
using System.Text;
using MlOps.Hosting.Local.Processes;

namespace MlOps.AppHost.Local;

/// <summary>Prometheus, when the machine has it: a scrape job per service on its <c>/metrics</c>.</summary>
internal static class PrometheusSetup
{
    public const string InstallHint = "apt-get install -y prometheus";

    public static string? FindBinary() => ExecutableLocator.FindOnPath("prometheus");

    public static string ConfigurationFor(LauncherOptions options)
    {
        var yaml = new StringBuilder()
            .AppendLine("# Written by the MlOps AppHost (local mode) on every start; edits are overwritten.")
            .AppendLine("global:")
            .AppendLine("  scrape_interval: 5s")
            .AppendLine("  evaluation_interval: 5s")
            .AppendLine("scrape_configs:");
        foreach (var service in Platform.Services)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - job_name: {service.Name}")
                .AppendLine("    metrics_path: /metrics")
                .AppendLine("    static_configs:")
                .AppendLine(CultureInfo.InvariantCulture, $"      - targets: ['127.0.0.1:{options.PortOf(service.Name)}']");
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
