extern alias dataservice;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.Tokens;
using MlOps.Contracts.Datasets;
using MlOps.Contracts.Training;
using MlOps.TestSupport;
using DataProgram = dataservice::Program;

namespace MlOps.TrainerService.Tests.Training;

/// <summary>
/// The trainer with what it needs, all real: a PostgreSQL database, the data service on a loopback port (which the
/// trainer calls over HTTP with a client-credentials token), a token issuer, and artifact stores on disk. Trainer
/// replicas are added with <see cref="AddTrainer"/> (in process) or <see cref="StartTrainerProcess"/> (a process the
/// test can kill); they share the database, so they share the queue.
/// </summary>
public sealed class TrainerPlatform : IAsyncDisposable
{
    public const string ServicesClientId = "mlops-services";
    private const string ServicesSecret = "test-services-secret";

    private readonly List<WebApplicationFactory<Program>> _trainers = [];
    private readonly List<ServiceProcess> _processes = [];
    private readonly SecurityKey _key;

    private TrainerPlatform(
        TestIssuer issuer, WebApplicationFactory<DataProgram> data, Uri dataAddress, Uri trainerAddress, TemporaryDirectory artifacts, string connectionString)
    {
        TrainerAddress = trainerAddress;
        Issuer = issuer;
        Data = data;
        DataAddress = dataAddress;
        Artifacts = artifacts;
        ConnectionString = connectionString;
        _key = issuer.NewRsaKey();
    }

    public TestIssuer Issuer { get; }

    public WebApplicationFactory<DataProgram> Data { get; }

    public Uri DataAddress { get; }

    /// <summary>Where the first trainer replica listens (on Kestrel), which the data service calls to guard deletes.</summary>
    public Uri TrainerAddress { get; }

    public TemporaryDirectory Artifacts { get; }

    public string ConnectionString { get; }

    public WebApplicationFactory<Program> Trainer => _trainers[0];

    /// <summary>A platform on a new database of <paramref name="postgres"/>, with one trainer replica unless told otherwise.</summary>
    public static async Task<TrainerPlatform> StartAsync(
        PostgresFixture postgres, IDictionary<string, string>? trainerSettings = null, bool withTrainer = true)
    {
        var connectionString = await postgres.CreateDatabaseAsync("trainer_" + Guid.NewGuid().ToString("N")[..12]);
        return await StartAsync(connectionString, trainerSettings, withTrainer);
    }

    public static async Task<TrainerPlatform> StartAsync(
        string connectionString, IDictionary<string, string>? trainerSettings = null, bool withTrainer = true)
    {
        var issuer = await TestIssuer.StartAsync();
        await issuer.RegisterServicesClientAsync(ServicesClientId, ServicesSecret, "mlops.read mlops.train");

        var artifacts = TemporaryDirectory.Create("mlops-trainer-artifacts-");
        var trainerAddress = new Uri($"http://127.0.0.1:{LoopbackPorts.FindFree()}");
        var data = new WebApplicationFactory<DataProgram>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            web.UseUrls("http://127.0.0.1:0");
            web.UseSetting("ConnectionStrings:mlopsdb", connectionString);
            web.UseSetting("Auth:Authority", issuer.Issuer);
            web.UseSetting("Artifacts:Store", "FileSystem");
            web.UseSetting("Artifacts:Root", Path.Combine(artifacts.Path, "data"));
            web.UseSetting("services:trainer:http:0", trainerAddress.ToString());
            web.UseSetting("Auth:Client:ClientId", ServicesClientId);
            web.UseSetting("Auth:Client:ClientSecret", ServicesSecret);
            web.UseSetting("Auth:Client:Scope", "mlops.read");
        });
        data.UseKestrel();
        data.StartServer();
        using var probe = data.CreateClient();
        var platform = new TrainerPlatform(issuer, data, probe.BaseAddress!, trainerAddress, artifacts, connectionString);
        await Readiness.WaitAsync(probe, "the data service");

        if (withTrainer)
        {
            await platform.AddTrainerAsync(trainerSettings);
        }

        return platform;
    }

    /// <summary>Settings a trainer replica gets: the database, the data service, the issuer, the artifact store and quick polling.</summary>
    public Dictionary<string, string> TrainerSettings(IDictionary<string, string>? overrides = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:mlopsdb"] = ConnectionString,
            ["Auth:Authority"] = Issuer.Issuer,
            ["Auth:Client:ClientId"] = ServicesClientId,
            ["Auth:Client:ClientSecret"] = ServicesSecret,
            ["Auth:Client:Scope"] = "mlops.read",
            ["services:data:http:0"] = DataAddress.ToString(),
            ["Artifacts:Store"] = "FileSystem",
            ["Artifacts:Root"] = Path.Combine(Artifacts.Path, "trainer"),
            ["Training:PollInterval"] = "00:00:00.200",
            ["Training:HeartbeatInterval"] = "00:00:00.500",
            ["Training:LeaseDuration"] = "00:00:10",
            ["Training:ValidationInterval"] = "00:00:00.500",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Another trainer replica in this process; the first listens on <see cref="TrainerAddress"/>.</summary>
    public async Task<WebApplicationFactory<Program>> AddTrainerAsync(IDictionary<string, string>? overrides = null)
    {
        var settings = TrainerSettings(overrides);
        var first = _trainers.Count == 0;
        var trainer = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }

            if (first)
            {
                web.UseUrls(TrainerAddress.ToString());
            }
        });
        if (first)
        {
            trainer.UseKestrel();
            trainer.StartServer();
        }

        _trainers.Add(trainer);
        using var probe = trainer.CreateClient();
        await Readiness.WaitAsync(probe, "the trainer");
        return trainer;
    }

    /// <summary>A trainer replica as its own process (configured through the environment), which a test may kill.</summary>
    public async Task<ServiceProcess> StartTrainerProcessAsync(IDictionary<string, string>? overrides = null)
    {
        var process = await ServiceProcess.StartAsync("TrainerService", TrainerSettings(overrides));
        _processes.Add(process);
        return process;
    }

    /// <summary>A client of the given replica (the first by default) with a token of the given scopes.</summary>
    public HttpClient Client(string scope = "mlops.read mlops.train", WebApplicationFactory<Program>? trainer = null, string subject = "alice")
    {
        var client = (trainer ?? Trainer).CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Issuer.CreateToken(_key, scope, subject));
        return client;
    }

    public string Token(string scope, string subject = "alice") => Issuer.CreateToken(_key, scope, subject);

    public HttpClient DataClient()
    {
        var client = Data.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Issuer.CreateToken(_key, "mlops.read mlops.train"));
        return client;
    }

    /// <summary>A dataset version from a built-in generator.</summary>
    public async Task<DatasetVersionResponse> GenerateAsync(string dataset, string generator, int rows, int seed = 1)
    {
        using var client = DataClient();
        using var response = await client.PostAsJsonAsync($"/api/datasets/{dataset}/versions/generate", new { generator, rows, seed });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DatasetVersionResponse>())!;
    }

    public async Task<DatasetVersionResponse> UploadAsync(string dataset, string csv)
    {
        using var client = DataClient();
        using var response = await client.PostAsync($"/api/datasets/{dataset}/versions", new StringContent(csv, MediaTypeHeaderValue.Parse("text/csv")));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DatasetVersionResponse>())!;
    }

    /// <summary>Submits a job and expects it accepted.</summary>
    public async Task<TrainingJobResponse> SubmitAsync(object request, HttpClient? client = null)
    {
        var own = client is null;
        client ??= Client();
        try
        {
            using var response = await client.PostAsJsonAsync("/api/training/jobs", request);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
            return (await response.Content.ReadFromJsonAsync<TrainingJobResponse>())!;
        }
        finally
        {
            if (own)
            {
                client.Dispose();
            }
        }
    }

    public async Task<TrainingJobResponse> GetJobAsync(Guid id)
    {
        using var client = Client();
        return (await client.GetFromJsonAsync<TrainingJobResponse>($"/api/training/jobs/{id}"))!;
    }

    /// <summary>Waits until the job satisfies <paramref name="condition"/> (by default: it ended).</summary>
    public Task<TrainingJobResponse> WaitForJobAsync(Guid id, Func<TrainingJobResponse, bool>? condition = null, TimeSpan? timeout = null) =>
        Eventually.ReturnsAsync(
            () => GetJobAsync(id),
            condition ?? (job => job.Status is "succeeded" or "failed" or "canceled"),
            timeout ?? TimeSpan.FromMinutes(3),
            $"job {id}");

    public Task<long> ScalarAsync(string sql) => Sql.CountAsync(ConnectionString, sql);

    public async Task<string?> TextAsync(string sql) => (string?)await Sql.ScalarAsync(ConnectionString, sql);

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        foreach (var trainer in _trainers)
        {
            await trainer.DisposeAsync();
        }

        await Data.DisposeAsync();
        await Issuer.DisposeAsync();
        Artifacts.Dispose();
    }
}
