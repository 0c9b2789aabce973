using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.Tokens;
using MlOps.TestSupport;
using Npgsql;

namespace MlOps.DataService.Tests.Datasets;

/// <summary>
/// The data service in process against a real PostgreSQL database and a file-system artifact store in a temporary
/// folder, trusting tokens from a loopback issuer.
/// </summary>
internal sealed class DataServiceHost : IAsyncDisposable
{
    private readonly TestIssuer _issuer;
    private readonly SecurityKey _key;

    private DataServiceHost(WebApplicationFactory<Program> factory, TestIssuer issuer, TemporaryDirectory artifacts, string connectionString)
    {
        Factory = factory;
        _issuer = issuer;
        _key = issuer.NewRsaKey();
        Artifacts = artifacts;
        ConnectionString = connectionString;
    }

    public WebApplicationFactory<Program> Factory { get; }

    public TemporaryDirectory Artifacts { get; }

    public string ConnectionString { get; }

    public static async Task<DataServiceHost> StartAsync(PostgresFixture postgres, IDictionary<string, string>? settings = null)
    {
        var issuer = await TestIssuer.StartAsync();
        var artifacts = TemporaryDirectory.Create("mlops-data-artifacts-");
        var connectionString = await postgres.CreateDatabaseAsync("data_" + Guid.NewGuid().ToString("N")[..12]);
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            web.UseSetting("ConnectionStrings:mlopsdb", connectionString);
            web.UseSetting("Auth:Authority", issuer.Issuer);
            web.UseSetting("Artifacts:Store", "FileSystem");
            web.UseSetting("Artifacts:Root", artifacts.Path);
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                web.UseSetting(key, value);
            }
        });
        var host = new DataServiceHost(factory, issuer, artifacts, connectionString);
        using var client = factory.CreateClient();
        await Eventually.ReturnsAsync(
            async () => (await client.GetAsync("/health")).IsSuccessStatusCode, ready => ready, TimeSpan.FromSeconds(60), "the data service becoming ready");
        return host;
    }

    public HttpClient Client(string scope = "mlops.read mlops.train")
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _issuer.CreateToken(_key, scope));
        return client;
    }

    /// <summary>Every object in the store (temporary files included): what a failed upload must not leave.</summary>
    public string[] StoredFiles() => Directory.GetFiles(Artifacts.Path, "*", SearchOption.AllDirectories);

    /// <summary>Every file and folder in the artifact store but the store's own folder of writes in progress.</summary>
    public string[] StoredEntries() => Directory.GetFileSystemEntries(Artifacts.Path, "*", SearchOption.AllDirectories)
        .Where(entry => !Path.GetRelativePath(Artifacts.Path, entry).StartsWith(MlOps.Artifacts.FileSystem.FileSystemArtifactStore.IncomingFolder, StringComparison.Ordinal))
        .ToArray();

    public async Task<long> VersionRowsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM data.dataset_versions", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await _issuer.DisposeAsync();
        Artifacts.Dispose();
    }
}
