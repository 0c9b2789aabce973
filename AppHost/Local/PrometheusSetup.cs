using System.Globalization;
using System.Text;
using MlOps.Hosting.Local.Processes;

namespace MlOps.AppHost.Local;

/// <summary>Prometheus, when the machine has it: a scrape job per service on its <c>/metrics</c>, and the platform's rules.</summary>
internal static class PrometheusSetup
{
    public const string InstallHint = "apt-get install -y prometheus";

    /// <summary>How the Prometheus container of Aspire mode reaches the services, which run on the host.</summary>
    public const string ContainerHostName = "host.docker.internal";

    /// <summary>Aspire mode mounts this folder into its Prometheus container.</summary>
    public const string DeployFolder = "deploy/prometheus";

    /// <summary>Where the rule files are relative to the configuration, in the container and in the data folder alike.</summary>
    public const string RuleFiles = "rules/*.yml";

    /// <summary>The recording and alerting rules (<c>deploy/prometheus/rules</c>), copied beside the AppHost when it is built.</summary>
    public static string RulesSource => Path.Combine(AppContext.BaseDirectory, "prometheus", "rules");

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
            .AppendLine("rule_files:")
            .AppendLine(CultureInfo.InvariantCulture, $"  - {RuleFiles}")
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
        await CopyRulesAsync(Path.Combine(folder.Prometheus, "rules"), cancellationToken);
        await File.WriteAllTextAsync(configFile, ConfigurationFor(options), cancellationToken);
        return
        [
            $"--config.file={configFile}",
            $"--storage.tsdb.path={Path.Combine(folder.Prometheus, "data")}",
            $"--web.listen-address=127.0.0.1:{options.PortOf(Platform.Prometheus).ToString(CultureInfo.InvariantCulture)}",
        ];
    }

    /// <summary>Replaces the data folder's rules with the ones this AppHost was built with.</summary>
    private static async Task CopyRulesAsync(string destination, CancellationToken cancellationToken)
    {
        var rules = Directory.Exists(RulesSource) ? Directory.GetFiles(RulesSource, "*.yml") : [];
        if (rules.Length == 0)
        {
            throw new InvalidOperationException($"No Prometheus rules in {RulesSource}: the AppHost build copies them from deploy/prometheus/rules.");
        }

        if (Directory.Exists(destination))
        {
            Directory.Delete(destination, recursive: true);
        }

        Directory.CreateDirectory(destination);
        foreach (var rule in rules)
        {
            await using var source = File.OpenRead(rule);
            await using var target = File.Create(Path.Combine(destination, Path.GetFileName(rule)));
            await source.CopyToAsync(target, cancellationToken);
        }
    }
}
