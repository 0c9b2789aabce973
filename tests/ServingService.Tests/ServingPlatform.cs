using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.Tokens;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Training;
using MlOps.OnnxTestModels;
using MlOps.TestSupport;
using Npgsql;

namespace MlOps.ServingService.Tests;

/// <summary>
/// What serving needs, all real: a PostgreSQL server of its own (tests stop and start it), a token issuer, the data
/// service and the trainer as processes (the registry serving loads models from), with artifact stores on disk. Serving
/// replicas are added in process with <see cref="AddServing"/>; each gets its own spill folder.
/// </summary>
public sealed class ServingPlatform : IAsyncLifetime
{
    public const string Carts = "carts";

    private readonly PostgresFixture _postgres = new();
    private readonly TemporaryDirectory _folder = TemporaryDirectory.Create("mlops-serving-");
    private readonly List<WebApplicationFactory<Program>> _replicas = [];
    private readonly Lock _models = new();
    private SecurityKey _key = null!;
    private Task<TrainingJobResponse>? _carts;

    public TestIssuer Issuer { get; private set; } = null!;

    public ServiceProcess Data { get; private set; } = null!;

    public ServiceProcess Trainer { get; private set; } = null!;

    public PostgresFixture Postgres => _postgres;

    public string ConnectionString { get; private set; } = null!;

    /// <summary>Where the trainer keeps model files (a test may damage one).</summary>
    public string TrainerArtifacts => _folder.Combine("trainer-artifacts");

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        ConnectionString = await _postgres.CreateDatabaseAsync("mlopsdb");
        Issuer = await TestIssuer.StartAsync();
        await Issuer.RegisterServicesClientAsync(PlatformSettings.ServicesClientId, PlatformSettings.ServicesSecret, "mlops.read mlops.train");
        _key = Issuer.NewRsaKey();

        Data = await ServiceProcess.StartAsync("DataService", Settings(new()
        {
            ["Artifacts:Root"] = _folder.Combine("data-artifacts"),
        }));
        Trainer = await ServiceProcess.StartAsync("TrainerService", Settings(new()
        {
            ["Artifacts:Root"] = TrainerArtifacts,
            ["services:data:http:0"] = Data.Address.ToString(),
            ["Training:PollInterval"] = "00:00:00.200",
        }));
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await Trainer.DisposeAsync();
        await Data.DisposeAsync();
        await Issuer.DisposeAsync();
        await _postgres.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>A serving replica in this process, on Kestrel, with its own spill folder.</summary>
    public WebApplicationFactory<Program> AddServing(IDictionary<string, string>? overrides = null)
    {
        var settings = Settings(new()
        {
            ["services:trainer:http:0"] = Trainer.Address.ToString(),
            ["InferenceLog:SpillDirectory"] = _folder.Combine("spill-" + Guid.NewGuid().ToString("N")[..8]),
            ["InferenceLog:RetryInterval"] = "00:00:00.500",
            ["Serving:ChangeWait"] = "00:00:05",
        });
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        var serving = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            web.UseUrls("http://127.0.0.1:0");
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });
        serving.UseKestrel();
        serving.StartServer();
        _replicas.Add(serving);
        return serving;
    }

    public HttpClient Client(WebApplicationFactory<Program> serving, string scope = "mlops.predict mlops.read", string subject = "alice")
    {
        var client = serving.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Issuer.CreateToken(_key, scope, subject));
        return client;
    }

    public HttpClient ClientOf(ServiceProcess service, string scope) => Issuer.ClientOf(_key, service.Address, scope);

    /// <summary>The model the cart-abandonment generator's data trains, once per platform: <see cref="Carts"/> version 1, in production.</summary>
    public Task<TrainingJobResponse> CartsAsync()
    {
        lock (_models)
        {
            return _carts ??= TrainAsync(Carts, "cart-abandonment", "abandoned");
        }
    }

    /// <summary>Generates a dataset version and trains a model version on it; returns the job that ended.</summary>
    public async Task<TrainingJobResponse> TrainAsync(
        string model, string generator, string target, int rows = 2000, int seed = 1, string promote = "always", object? hyperparameters = null)
    {
        using var data = ClientOf(Data, "mlops.train mlops.read");
        using var trainer = ClientOf(Trainer, "mlops.train mlops.read");
        return await PlatformTraining.GenerateAndTrainAsync(data, trainer, model, generator, target, rows, seed, promote, hyperparameters);
    }

    /// <summary>Uploads a dataset version and registers a model made elsewhere (ONNX or ML.NET), evaluated on it; returns the version.</summary>
    public async Task<ModelVersionResponse> RegisterFileAsync(string model, string dataset, string csv, byte[] file, ModelDescriptor descriptor)
    {
        using var data = ClientOf(Data, "mlops.train mlops.read");
        using (var uploaded = await data.PostAsync($"/api/datasets/{dataset}/versions", new StringContent(csv, MediaTypeHeaderValue.Parse("text/csv"))))
        {
            Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
        }

        using var trainer = ClientOf(Trainer, "mlops.train mlops.read");
        using var content = ModelUploads.Content(file, descriptor with { EvaluateOn = new DatasetVersionSelector(dataset, null) });
        using var registered = await trainer.PostAsync($"/api/models/{model}/versions", content);
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        return (await registered.Content.ReadFromJsonAsync<ModelVersionResponse>())!;
    }

    /// <summary>Moves an alias in the registry, as an admin would.</summary>
    public async Task MoveAliasAsync(string model, string alias, int version)
    {
        using var trainer = ClientOf(Trainer, "mlops.admin mlops.read");
        using var moved = await trainer.PutAsJsonAsync($"/api/models/{model}/aliases/{alias}", new { version });
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());
    }

    /// <summary>Removes an alias from the registry, as an admin would.</summary>
    public async Task RemoveAliasAsync(string model, string alias)
    {
        using var trainer = ClientOf(Trainer, "mlops.admin mlops.read");
        using var removed = await trainer.DeleteAsync($"/api/models/{model}/aliases/{alias}");
        Assert.True(removed.IsSuccessStatusCode, await removed.Content.ReadAsStringAsync());
    }

    public Task<long> ScalarAsync(string sql) => Sql.CountAsync(ConnectionString, sql);

    public async Task<HashSet<Guid>> IdsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new HashSet<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private Dictionary<string, string> Settings(Dictionary<string, string> specific) => PlatformSettings.For(ConnectionString, Issuer, specific);
}
