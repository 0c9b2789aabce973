using MlOps.AppHost.Prometheus;
using MlOps.TestSupport;

namespace MlOps.AppHost.Tests;

public sealed class PrometheusConfigurationTests : IDisposable
{
    private static readonly string Rules = PrometheusConfiguration.RulesSource(RepositoryRoot.Combine("AppHost"));

    private readonly TemporaryDirectory _directory = TemporaryDirectory.Create("mlops-prometheus-");

    [Fact]
    public async Task The_host_configuration_scrapes_every_process_at_its_port_with_the_rules_and_passes_promtool()
    {
        var ports = new Dictionary<string, int>(Platform.DefaultPorts) { [Platform.Gateway] = 18000 };

        var configFile = PrometheusConfiguration.WriteForHost(_directory.Path, Rules, name => ports[name]);

        var yaml = await File.ReadAllTextAsync(configFile);
        foreach (var service in Platform.Services)
        {
            Assert.Contains($"job_name: {service}", yaml, StringComparison.Ordinal);
        }

        Assert.Contains("'127.0.0.1:18000'", yaml, StringComparison.Ordinal);
        var check = await CommandRunner.RunAsync("promtool", ["check", "config", configFile], CancellationToken.None);
        Assert.True(check.Succeeded, check.Output);
        var rules = Directory.GetFiles(Rules, "*.yml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Contains("recording.yml", rules);
        Assert.Equal(rules, Directory.GetFiles(_directory.Combine("rules")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains($"SUCCESS: {rules.Length} rule files found", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_committed_container_configuration_matches_the_port_table_and_passes_promtool()
    {
        var committed = RepositoryRoot.Combine(PrometheusConfiguration.DeployFolder, "prometheus.yml");

        Assert.Equal(PrometheusConfiguration.ForContainer(name => Platform.DefaultPorts[name]), await File.ReadAllTextAsync(committed));
        var check = await CommandRunner.RunAsync("promtool", ["check", "config", committed], CancellationToken.None);
        Assert.True(check.Succeeded, check.Output);
    }

    public void Dispose() => _directory.Dispose();
}
