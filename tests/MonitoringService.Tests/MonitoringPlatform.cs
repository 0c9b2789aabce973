using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.Tokens;
using MlOps.Contracts.Serving;
using MlOps.Learning.Generators;
using MlOps.TestSupport;

namespace MlOps.MonitoringService.Tests;

/// <summary>The test classes that share one <see cref="MonitoringPlatform"/> (they run one after another).</summary>
[CollectionDefinition(MonitoringPlatform.Collection)]
public sealed class SharedMonitoringPlatform : ICollectionFixture<MonitoringPlatform>;

/// <summary>
/// What the monitoring service works with, all real: PostgreSQL, a token issuer, and the data service, the trainer and
/// serving as processes; the monitoring service runs in process against them (more replicas on demand). Each test uses
/// models of its own.
/// </summary>
public sealed class MonitoringPlatform : IAsyncLifetime
{
    public const string Collection = "monitoring platform";

    // Predictions sent per model, to know when serving's log holds them all.
    private readonly Dictionary<string, int> _logged = [];

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
        // The scheduler of this replica stays idle (its first look finds no policy); tests about it start replicas of their own.
        Monitoring = AddMonitoring(new() { ["Monitoring:SchedulerPollInterval"] = "1.00:00:00" });
        using var client = Monitoring.CreateClient();
        await Eventually.ReturnsAsync(
            async () => (await client.GetAsync("/health")).IsSuccessStatusCode, ready => ready, TimeSpan.FromSeconds(60), "monitoring ready");
    }

    public string ConnectionString => _connectionString;

    /// <summary>Another monitoring replica on the same database, with these settings over the platform's; the caller disposes it.</summary>
    public WebApplicationFactory<Program> AddMonitoring(Dictionary<string, string>? overrides = null)
    {
        var replica = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            var settings = Settings(new()
            {
                ["services:trainer:http:0"] = Trainer.Address.ToString(),
                ["services:serving:http:0"] = Serving.Address.ToString(),
            });
            // The service asks for the scopes its own settings name (it submits retraining jobs), not the platform's read-only default.
            settings.Remove("Auth:Client:Scope");
            foreach (var (key, value) in overrides ?? [])
            {
                settings[key] = value;
            }

            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });
        return replica;
    }

    /// <summary>Generates cart-abandonment data and trains a model on it (version 1, promoted to production).</summary>
    public async Task TrainAsync(string model)
    {
        using var data = ClientOf(Data, "mlops.train mlops.read");
        using var trainer = ClientOf(Trainer, "mlops.train mlops.read");
        await PlatformTraining.GenerateAndTrainAsync(data, trainer, model, "cart-abandonment", GeneratedRows.Target, rows: 3000);
    }

    /// <summary>Sends the generated rows to serving in batches, waits until its log holds them all, and answers the predictions.</summary>
    public async Task<List<PredictionResult>> PredictAsync(string model, GeneratorRequest request)
    {
        using var serving = ClientOf(Serving, "mlops.predict mlops.read");
        var instances = await GeneratedRows.InstancesAsync(request);
        var predictions = new List<PredictionResult>(instances.Count);
        foreach (var batch in instances.Chunk(500))
        {
            var body = new JsonObject { ["instances"] = new JsonArray(batch.Select(i => (JsonNode)i.DeepClone()).ToArray()) };
            using var response = await serving.PostAsJsonAsync($"/api/predict/{model}", body);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            predictions.AddRange((await response.Content.ReadFromJsonAsync<PredictionResponse>())!.Predictions);
        }

        var before = _logged.GetValueOrDefault(model);
        _logged[model] = before + instances.Count;
        await Eventually.ReturnsAsync(
            async () => (await serving.GetStringAsync($"/api/serving/inference-log?model={model}&limit=10000")).Count(c => c == '\n'),
            count => count >= before + instances.Count,
            TimeSpan.FromSeconds(30),
            $"{instances.Count} predictions of {model} reaching the log");
        return predictions;
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

    public HttpClient Client(string scope = "mlops.read", WebApplicationFactory<Program>? replica = null)
    {
        var client = (replica ?? Monitoring).CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Issuer.CreateToken(_key, scope));
        return client;
    }

    public HttpClient ClientOf(ServiceProcess service, string scope) => Issuer.ClientOf(_key, service.Address, scope);

    private Dictionary<string, string> Settings(Dictionary<string, string> specific) => PlatformSettings.For(_connectionString, Issuer, specific);
}
