using Xunit;

namespace MlOps.TestSupport;

/// <summary>
/// A throwaway PostgreSQL server for a test class (<c>IClassFixture&lt;PostgresFixture&gt;</c>): a new cluster in a
/// temporary folder, on a free loopback port, with one database; stopped and deleted on dispose.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private const int StartAttempts = 3;

    private TemporaryDirectory? _directory;
    private PostgresServer? _server;

    /// <summary>The database every test of the class shares.</summary>
    public string Database { get; init; } = "mlops_test";

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The fixture has not started yet.");

    public string ConnectionString => Server.ConnectionString;

    /// <summary>A new empty database on the same server, for a test that needs isolation from the others.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await Server.CreateDatabaseAsync(name, cancellationToken);
        return Server.ConnectionStringFor(name);
    }

    public async Task InitializeAsync()
    {
        _directory = TemporaryDirectory.Create("mlops-pg-");
        for (var attempt = 1; ; attempt++)
        {
            // A free port can be taken by another process before the server binds it: then try another one.
            var server = new PostgresServer(new PostgresServerOptions
            {
                DataDirectory = _directory.Combine("data"),
                Port = LoopbackPorts.FindFree(),
                Database = Database,
                LogFile = _directory.Combine("postgres.log"),
                // One server holds several services' pools and replicas at once (three trainers, the data service and
                // the test itself): PostgreSQL's default of 100 was reached ("too many clients").
                MaxConnections = 400,
            });
            try
            {
                await server.StartAsync(CancellationToken.None);
                _server = server;
                return;
            }
            catch (PostgresServerException) when (attempt < StartAttempts)
            {
                await server.StopAsync(CancellationToken.None);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync(CancellationToken.None);
        }

        _directory?.Dispose();
    }
}
