using System.Globalization;
using System.Text;

namespace MlOps.AppHost.Prometheus;

/// <summary>Prometheus's configuration: a scrape job per process on its <c>/metrics</c>, and the platform's rules.</summary>
internal static class PrometheusConfiguration
{
    /// <summary>How the Prometheus container reaches the services, which run on the host.</summary>
    public const string ContainerHostName = "host.docker.internal";

    /// <summary>The folder the container mounts (relative to the repository root), holding the committed configuration.</summary>
    public const string DeployFolder = "deploy/prometheus";

    /// <summary>Where the rule files are relative to the configuration, in the container and in the data folder alike.</summary>
    public const string RuleFiles = "rules/*.yml";

    /// <summary>For Prometheus run from the machine's binary: the services on 127.0.0.1.</summary>
    public static string ForHost(Func<string, int> portOf) =>
        Render(portOf, "127.0.0.1", "Written by the MlOps AppHost on every start; edits are overwritten.");

    /// <summary>
    /// The variant committed as <c>deploy/prometheus/prometheus.yml</c> for the container: the same jobs and fixed
    /// ports, reached from inside a container. A test keeps the committed file equal to this.
    /// </summary>
    public static string ForContainer(Func<string, int> portOf) =>
        Render(portOf, ContainerHostName, "The Prometheus container's configuration; generated from AppHost/Platform.cs (see PrometheusConfigurationTests).");

    private static string Render(Func<string, int> portOf, string host, string header)
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
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - job_name: {service}")
                .AppendLine("    metrics_path: /metrics")
                .AppendLine("    static_configs:")
                .AppendLine(CultureInfo.InvariantCulture, $"      - targets: ['{host}:{portOf(service)}']");
        }

        return yaml.ToString();
    }

    /// <summary>The recording and alerting rules of the checkout the AppHost runs from.</summary>
    public static string RulesSource(string appHostDirectory) => Path.GetFullPath(Path.Combine(appHostDirectory, "..", DeployFolder, "rules"));

    /// <summary>
    /// Writes the host configuration and the checkout's rules into <paramref name="folder"/>, so that edits to
    /// deploy/prometheus/rules reach the next start; answers the configuration file.
    /// </summary>
    public static string WriteForHost(string folder, string rulesSource, Func<string, int> portOf)
    {
        var rules = Directory.Exists(rulesSource) ? Directory.GetFiles(rulesSource, "*.yml") : [];
        if (rules.Length == 0)
        {
            throw new InvalidOperationException($"No Prometheus rules in {rulesSource}.");
        }

        var destination = Path.Combine(folder, "rules");
        if (Directory.Exists(destination))
        {
            Directory.Delete(destination, recursive: true);
        }

        Directory.CreateDirectory(destination);
        foreach (var rule in rules)
        {
            File.Copy(rule, Path.Combine(destination, Path.GetFileName(rule)));
        }

        var configFile = Path.Combine(folder, "prometheus.yml");
        File.WriteAllText(configFile, ForHost(portOf));
        return configFile;
    }
}
