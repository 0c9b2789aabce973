using Microsoft.Extensions.Configuration;
using MlOps.AppHost.Local;
using MlOps.Hosting.Local.Processes;
using MlOps.TestSupport;

namespace MlOps.AppHost.Tests;

public sealed class PrometheusSetupTests : IDisposable
{
    private readonly TemporaryDirectory _directory = TemporaryDirectory.Create("mlops-prometheus-");

    [Fact]
    public async Task Writes_a_configuration_promtool_accepts_with_a_job_per_service()
    {
        var options = LauncherOptions.From(new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>("Ports:gateway", "18000")])
            .Build());
        var folder = new DataFolder(_directory.Path);
        folder.Create();

        var arguments = await PrometheusSetup.WriteConfigurationAsync(options, folder, CancellationToken.None);

        var configFile = Path.Combine(folder.Prometheus, "prometheus.yml");
        Assert.Contains($"--config.file={configFile}", arguments);
        Assert.Contains("--web.listen-address=127.0.0.1:9090", arguments);
        var yaml = await File.ReadAllTextAsync(configFile);
        foreach (var service in Platform.Services)
        {
            Assert.Contains($"job_name: {service.Name}", yaml, StringComparison.Ordinal);
        }

        Assert.Contains("'127.0.0.1:18000'", yaml, StringComparison.Ordinal);
        var check = await CommandRunner.RunAsync("promtool", ["check", "config", configFile], CancellationToken.None);
        Assert.True(check.Succeeded, check.Output);
        var rules = Directory.GetFiles(PrometheusSetup.RulesSource, "*.yml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Contains("recording.yml", rules);
        Assert.Equal(rules, Directory.GetFiles(Path.Combine(folder.Prometheus, "rules")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains($"SUCCESS: {rules.Length} rule files found", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_committed_Aspire_mode_configuration_matches_the_port_table_and_passes_promtool()
    {
        var options = LauncherOptions.From(new ConfigurationBuilder().Build());
        var root = Path.GetDirectoryName(DataFolder.Resolve(null, AppContext.BaseDirectory).Root)!;
        var committed = Path.Combine(root, PrometheusSetup.DeployFolder, "prometheus.yml");

        Assert.Equal(PrometheusSetup.ContainerConfigurationFor(options), await File.ReadAllTextAsync(committed));
        var check = await CommandRunner.RunAsync("promtool", ["check", "config", committed], CancellationToken.None);
        Assert.True(check.Succeeded, check.Output);
    }

    public void Dispose() => _directory.Dispose();
}
