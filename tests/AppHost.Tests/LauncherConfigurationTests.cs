using Microsoft.Extensions.Configuration;
using MlOps.AppHost.Local;
using MlOps.TestSupport;

namespace MlOps.AppHost.Tests;

/// <summary>How the launcher reads its settings and what it hands every service.</summary>
public sealed class LauncherConfigurationTests : IDisposable
{
    private readonly TemporaryDirectory _directory = TemporaryDirectory.Create("mlops-launcher-");

    [Fact]
    public void Defaults_to_the_fixed_ports_and_a_90_second_health_deadline()
    {
        var options = Options();

        Assert.Equal(8011, options.PortOf("auth"));
        Assert.Equal(8000, options.PortOf("gateway"));
        Assert.Equal(54320, options.PortOf("postgres"));
        Assert.Equal(9090, options.PortOf("prometheus"));
        Assert.Equal(TimeSpan.FromSeconds(90), options.HealthTimeout);
        Assert.Equal("Production", options.EnvironmentName);
        Assert.Null(options.Home);
    }

    [Fact]
    public void Takes_ports_home_and_deadline_from_configuration()
    {
        var options = Options(
            ("Ports:gateway", "18000"), ("Ports:postgres", "15432"), ("MLOPS_HOME", "/tmp/elsewhere"),
            ("Launcher:HealthTimeoutSeconds", "5"), ("DOTNET_ENVIRONMENT", "Development"));

        Assert.Equal(18000, options.PortOf("gateway"));
        Assert.Equal(15432, options.PortOf("postgres"));
        Assert.Equal(8011, options.PortOf("auth"));
        Assert.Equal("/tmp/elsewhere", options.Home);
        Assert.Equal(TimeSpan.FromSeconds(5), options.HealthTimeout);
        Assert.Equal("Development", options.EnvironmentName);
    }

    [Fact]
    public void Rejects_a_port_that_is_not_one()
    {
        var error = Assert.Throws<LauncherException>(() => Options(("Ports:auth", "eighty")));
        Assert.Contains("Ports:auth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hands_every_service_Aspires_configuration_names()
    {
        var options = Options(("Ports:auth", "18011"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317"));
        var folder = new DataFolder(_directory.Path);
        var password = new LocalSecret("secret", LocalSecretSource.Stored);
        var clientSecret = new LocalSecret("client-secret", LocalSecretSource.Generated);
        var data = Platform.Services.Single(service => service.Name == "data");

        var environment = ServiceEnvironment.For(data, options, "Host=127.0.0.1;Port=54320", folder, password, clientSecret);

        Assert.Equal("http://127.0.0.1:8012", environment["ASPNETCORE_URLS"]);
        Assert.Equal("Production", environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("Host=127.0.0.1;Port=54320", environment["ConnectionStrings__mlopsdb"]);
        Assert.Equal("http://127.0.0.1:18011", environment["Auth__Authority"]);
        Assert.Equal("FileSystem", environment["Artifacts__Store"]);
        Assert.Equal(folder.Artifacts, environment["Artifacts__Root"]);
        Assert.Equal("data", environment["OTEL_SERVICE_NAME"]);
        Assert.Equal("http://127.0.0.1:4317", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("mlops-services", environment["Auth__Client__ClientId"]);
        Assert.Equal("client-secret", environment["Auth__Client__ClientSecret"]);
        foreach (var service in Platform.Services)
        {
            Assert.Equal(options.UrlOf(service.Name).ToString().TrimEnd('/'), environment[$"services__{service.Name}__http__0"]);
        }

        Assert.Equal("0", environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"]);
        Assert.Equal("0", environment["DOTNET_gcServer"]);

        // Only the auth service gets the admin password; only serving gets a spill folder, inside the data folder.
        Assert.False(environment.ContainsKey("MLOPS_ADMIN_PASSWORD"));
        Assert.False(environment.ContainsKey("InferenceLog__SpillDirectory"));
        var auth = ServiceEnvironment.For(Platform.Services[0], options, "x", folder, password, clientSecret);
        Assert.Equal("secret", auth["MLOPS_ADMIN_PASSWORD"]);
        var serving = ServiceEnvironment.For(Platform.Services.Single(s => s.Name == "serving"), options, "x", folder, password, clientSecret);
        Assert.Equal(Path.Combine(folder.Root, "inference-spill"), serving["InferenceLog__SpillDirectory"]);
    }

    [Fact]
    public void Finds_the_data_folder_under_the_repository_root_or_in_MLOPS_HOME()
    {
        var nested = Directory.CreateDirectory(_directory.Combine("services", "deep", "er")).FullName;
        File.WriteAllText(_directory.Combine(DataFolder.SolutionFile), string.Empty);

        Assert.Equal(_directory.Combine(".mlops"), DataFolder.Resolve(null, nested).Root);
        Assert.Equal(_directory.Combine("home"), DataFolder.Resolve(_directory.Combine("home"), nested).Root);
        Assert.Throws<LauncherException>(() => DataFolder.Resolve(null, Path.GetTempPath()));
    }

    public void Dispose() => _directory.Dispose();

    private static LauncherOptions Options(params (string Key, string Value)[] settings) =>
        LauncherOptions.From(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(setting => new KeyValuePair<string, string?>(setting.Key, setting.Value)))
            .Build());
}
