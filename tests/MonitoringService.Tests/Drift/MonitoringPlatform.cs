using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.Tokens;
using MlOps.TestSupport;

namespace MlOps.MonitoringService.Tests.Drift;

/// <summary>
/// What a drift check reads, all real: PostgreSQL, a token issuer, and the data service, the trainer and serving as
/// processes; the monitoring service runs in process against them.
/// </summary>
public sealed class MonitoringPlatform : IAsyncLifetime
{
    private readonly PostgresFixture _postgres = new();
    private readonly TemporaryDirectory _folder = TemporaryDirectory.Create("mlops-monitoring-");
    private SecurityKey _key = null!;
    private string _connectionString = null!;

    public TestIssuer Issuer { get; private set; } = null!;

    public ServiceProcess Data { get; private set; } = null!;

    public ServiceProcess Trainer { get; private set; } = null!;

    public ServiceProcess Serving { get; private set; } = null!;

    public WebApplicationFactory<Program> Monitoring { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        _connectionString = await _postgres.CreateDatabaseAsync("mlopsdb");
        Issuer = await TestIssuer.StartAsync();
        await Issuer.RegisterServicesClientAsync(PlatformSettings.ServicesClientId, PlatformSettings.ServicesSecret, "mlops.read mlops.train");
        _key = Issuer.NewRsaKey();
        Data = await ServiceProcess.StartAsync("DataService", Settings(new() { ["Artifacts:Root"] = _folder.Combine("data-artifacts") }));
        Trainer = await ServiceProcess.StartAsync("TrainerService", Settings(new()
        {
            ["Artifacts:Root"] = _folder.Combine("trainer-artifacts"),
            ["services:data:http:0"] = Data.Address.ToString(),
            ["Training:PollInterval"] = "00:00:00.200",
        }));
        Serving = await ServiceProcess.StartAsync("ServingService", Settings(new()
        {
            ["services:trainer:http:0"] = Trainer.Address.ToString(),
            ["InferenceLog:SpillDirectory"] = _folder.Combine("spill"),
            ["Serving:PermitsPerSecond"] = "1000000",
            ["Serving:Burst"] = "1000000",
        }));
        Monitoring = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            foreach (var (key, value) in Settings(new()
            {
                ["services:trainer:http:0"] = Trainer.Address.ToString(),
                ["services:serving:http:0"] = Serving.Address.ToString(),
            }))
            {
                web.UseSetting(key, value);
            }
        });
    }

    public async Task DisposeAsync()
    {
        await Monitoring.DisposeAsync();
        await Serving.DisposeAsync();
        await Trainer.DisposeAsync();
        await Data.DisposeAsync();
        await Issuer.DisposeAsync();
        await _postgres.DisposeAsync();
        _folder.Dispose();
    }

    public HttpClient Client(string scope = "mlops.read")
    {
        var client = Monitoring.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Issuer.CreateToken(_key, scope));
        return client;
    }

    public HttpClient ClientOf(ServiceProcess service, string scope) => Issuer.ClientOf(_key, service.Address, scope);

    private Dictionary<string, string> Settings(Dictionary<string, string> specific) => PlatformSettings.For(_connectionString, Issuer, specific);
}
