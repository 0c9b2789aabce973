using System.Globalization;
using MlOps.TestSupport;
using Npgsql;

namespace MlOps.AppHost.Tests;

/// <summary>The local PostgreSQL server against the machine's real binaries.</summary>
public sealed class PostgresServerTests : IDisposable
{
    private readonly TemporaryDirectory _directory = TemporaryDirectory.Create("mlops-pgtest-");
    private readonly int _port = LoopbackPorts.FindFree();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));

    [Fact]
    public async Task Initializes_serves_stops_and_keeps_its_data_across_restarts()
    {
        var ct = _timeout.Token;
        await using (var first = NewServer())
        {
            Assert.Equal(PostgresStartKind.Initialized, await first.StartAsync(ct));
            Assert.Equal($"Host=127.0.0.1;Port={_port};Database=mlopsdb;Username=postgres", first.ConnectionString);
            Assert.Equal(1, await ScalarAsync<int>(first.ConnectionString, "SELECT 1", ct));
            await ExecuteAsync(first.ConnectionString, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('survives')", ct);

            await first.StopAsync(ct);
            Assert.True(LoopbackPorts.IsFree(_port));
            Assert.False(File.Exists(Path.Combine(DataDirectory, PostmasterPidFile.FileName)));
        }

        await using var second = NewServer();
        Assert.Equal(PostgresStartKind.Started, await second.StartAsync(ct));
        Assert.Equal("survives", await ScalarAsync<string>(second.ConnectionString, "SELECT value FROM kept", ct));
    }

    [Fact]
    public async Task Adopts_a_server_already_running_on_the_same_folder_and_port()
    {
        var ct = _timeout.Token;
        var first = NewServer();
        await first.StartAsync(ct);
        var pid = PostmasterPidFile.Read(DataDirectory)!.ProcessId;

        // As after a launcher that died without stopping its server.
        await using var second = NewServer();
        Assert.Equal(PostgresStartKind.Reused, await second.StartAsync(ct));
        Assert.Equal(pid, PostmasterPidFile.Read(DataDirectory)!.ProcessId);
        Assert.Equal(1, await ScalarAsync<int>(second.ConnectionString, "SELECT 1", ct));

        await second.StopAsync(ct);
        Assert.True(LoopbackPorts.IsFree(_port));
    }

    [Fact]
    public async Task Restarts_on_its_own_port_a_server_left_running_on_another()
    {
        var ct = _timeout.Token;
        var otherPort = LoopbackPorts.FindFree();
        var onOtherPort = NewServer(otherPort);
        await onOtherPort.StartAsync(ct);

        await using var server = NewServer();
        Assert.Equal(PostgresStartKind.Started, await server.StartAsync(ct));
        Assert.Equal(_port, PostmasterPidFile.Read(DataDirectory)!.Port);
        Assert.True(LoopbackPorts.IsFree(otherPort));
        Assert.Equal(1, await ScalarAsync<int>(server.ConnectionString, "SELECT 1", ct));
    }

    [Fact]
    public async Task Starts_over_a_stale_postmaster_pid_left_by_a_crash()
    {
        var ct = _timeout.Token;
        await using (var server = NewServer())
        {
            await server.StartAsync(ct);
        }

        // A lock file naming a live process that is not PostgreSQL (this test), as after a crash and a PID reuse.
        var lockFile = Path.Combine(DataDirectory, PostmasterPidFile.FileName);
        await File.WriteAllLinesAsync(
            lockFile, [Environment.ProcessId.ToString(CultureInfo.InvariantCulture), DataDirectory, "0", _port.ToString(CultureInfo.InvariantCulture)], ct);

        await using var restarted = NewServer();
        Assert.Equal(PostgresStartKind.Started, await restarted.StartAsync(ct));
        Assert.Equal(1, await ScalarAsync<int>(restarted.ConnectionString, "SELECT 1", ct));
    }

    [Fact]
    public async Task Creates_further_databases_once()
    {
        var ct = _timeout.Token;
        await using var server = NewServer();
        await server.StartAsync(ct);

        await server.CreateDatabaseAsync("Second \"db\"", ct);
        await server.CreateDatabaseAsync("Second \"db\"", ct);

        Assert.Equal(1, await ScalarAsync<int>(server.ConnectionStringFor("Second \"db\""), "SELECT 1", ct));
    }

    [Fact]
    public async Task Says_how_to_install_PostgreSQL_when_its_programs_are_missing()
    {
        var server = new PostgresServer(new PostgresServerOptions
        {
            DataDirectory = DataDirectory,
            Port = _port,
            Database = "mlopsdb",
            BinDirectory = _directory.Combine("no-binaries-here"),
        });

        var error = await Assert.ThrowsAsync<PostgresServerException>(() => server.StartAsync(_timeout.Token));
        Assert.Contains("apt-get install -y postgresql", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_non_empty_folder_that_is_not_a_cluster()
    {
        Directory.CreateDirectory(DataDirectory);
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "something.txt"), "not a cluster", _timeout.Token);

        var error = await Assert.ThrowsAsync<PostgresServerException>(() => NewServer().StartAsync(_timeout.Token));
        Assert.Contains("no PG_VERSION", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _timeout.Dispose();
        _directory.Dispose();
    }

    private string DataDirectory => _directory.Combine("data");

    private PostgresServer NewServer(int? port = null) => new(new PostgresServerOptions
    {
        DataDirectory = DataDirectory,
        Port = port ?? _port,
        Database = "mlopsdb",
        LogFile = _directory.Combine("postgres.log"),
    });

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
