using System.Text.Json;
using MlOps.TestSupport;

namespace MlOps.AppHost.Tests;

/// <summary>
/// The manifest <c>dotnet run --project AppHost -- --publisher manifest</c> writes, the starting point of a deployment:
/// every backing service a container, the six processes projects, nothing a cluster could not run.
/// </summary>
public sealed class ManifestTests : IDisposable
{
    private static readonly string[] Projects = ["auth", "data", "trainer", "serving", "monitoring", "gateway"];

    private readonly TemporaryDirectory _directory = TemporaryDirectory.Create("mlops-manifest-");

    [Fact]
    public async Task Backing_services_are_containers_the_processes_projects_and_nothing_is_an_executable()
    {
        var resources = (await PublishAsync()).GetProperty("resources");

        var types = resources.EnumerateObject().ToDictionary(r => r.Name, r => r.Value.GetProperty("type").GetString()!);
        foreach (var container in new[] { "postgres", "prometheus", "grafana", "mlflow" })
        {
            Assert.True(types.TryGetValue(container, out var type) && type.StartsWith("container.", StringComparison.Ordinal), $"{container}: {type}");
        }

        foreach (var project in Projects)
        {
            Assert.True(types.TryGetValue(project, out var type) && type.StartsWith("project.", StringComparison.Ordinal), $"{project}: {type}");
        }

        Assert.DoesNotContain(types.Values, type => type.StartsWith("executable.", StringComparison.Ordinal));
        Assert.Equal("{mlopsdb.connectionString}", resources.GetProperty("trainer").GetProperty("env").GetProperty("ConnectionStrings__mlopsdb").GetString());
        // Every project takes the token service's address as its authority; the token service names it as issuer.
        foreach (var project in Projects)
        {
            Assert.Equal("{auth.bindings.http.url}", resources.GetProperty(project).GetProperty("env").GetProperty("Auth__Authority").GetString());
        }

        Assert.Equal("{auth.bindings.http.url}", resources.GetProperty("auth").GetProperty("env").GetProperty("TokenService__Issuer").GetString());
        // People's browsers are sent to the gateway (the device flow's verification page).
        Assert.Equal("{gateway.bindings.http.url}", resources.GetProperty("auth").GetProperty("env").GetProperty("TokenService__PublicOrigin").GetString());
        // Every trace is kept unless configured otherwise, and a service follows its caller's decision.
        foreach (var project in Projects)
        {
            Assert.Equal("parentbased_traceidratio", resources.GetProperty(project).GetProperty("env").GetProperty("OTEL_TRACES_SAMPLER").GetString());
            Assert.Equal("1", resources.GetProperty(project).GetProperty("env").GetProperty("OTEL_TRACES_SAMPLER_ARG").GetString());
        }

        // No secret is generated into a deployment: it asks for both.
        Assert.True(resources.GetProperty("admin-password").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.True(resources.GetProperty("services-client-secret").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
    }

    [Fact]
    public async Task A_configured_trace_sample_ratio_reaches_every_project()
    {
        var resources = (await PublishAsync("--MlOps:TraceSampleRatio=0.05")).GetProperty("resources");

        foreach (var project in Projects)
        {
            Assert.Equal("0.05", resources.GetProperty(project).GetProperty("env").GetProperty("OTEL_TRACES_SAMPLER_ARG").GetString());
        }
    }

    [Fact]
    public async Task Prometheus_and_Grafana_mount_the_configuration_that_deploy_holds()
    {
        var resources = (await PublishAsync()).GetProperty("resources");

        Assert.Equal(RepositoryRoot.Combine("deploy", "prometheus"), MountSource(resources, "prometheus", "/etc/prometheus"));
        Assert.Equal(RepositoryRoot.Combine("deploy", "grafana", "provisioning"), MountSource(resources, "grafana", "/etc/grafana/provisioning"));
    }

    private string MountSource(JsonElement resources, string resource, string target)
    {
        var mount = resources.GetProperty(resource).GetProperty("bindMounts").EnumerateArray()
            .Single(m => m.GetProperty("target").GetString() == target);
        // Sources are relative to the manifest's folder.
        return Path.GetFullPath(Path.Combine(_directory.Path, mount.GetProperty("source").GetString()!));
    }

    private async Task<JsonElement> PublishAsync(params string[] settings)
    {
        var manifest = _directory.Combine("aspire-manifest.json");
        var appHost = Path.Combine(AppContext.BaseDirectory, "AppHost.dll");
        var result = await CommandRunner.RunAsync("dotnet", [appHost, "--publisher", "manifest", "--output-path", manifest, .. settings], CancellationToken.None);
        Assert.True(result.Succeeded, result.Output);
        return JsonDocument.Parse(await File.ReadAllTextAsync(manifest)).RootElement;
    }

    public void Dispose() => _directory.Dispose();
}
