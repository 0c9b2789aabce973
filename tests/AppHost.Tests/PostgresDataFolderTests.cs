using MlOps.AppHost.Hosting;
using MlOps.AppHost.Postgres;
using MlOps.TestSupport;
using Npgsql;

namespace MlOps.AppHost.Tests;

public sealed class PostgresDataFolderTests : IDisposable
{
    private readonly TemporaryDirectory _directory = TemporaryDirectory.Create("mlops-pgdata-");

    [Fact]
    public async Task The_first_start_makes_a_cluster_holding_the_platform_database_and_later_starts_keep_it()
    {
        var program = PostgresProgram.Find(configured: null);
        var data = _directory.Combine("postgres");

        Assert.True(PostgresDataFolder.EnsureInitialized(program, data, "mlopsdb"));
        Assert.False(PostgresDataFolder.EnsureInitialized(program, data, "mlopsdb"));

        // The cluster serves the database as it is: a server started on it finds mlopsdb without creating it.
        await using var server = new PostgresServer(new PostgresServerOptions
        {
            DataDirectory = data,
            Port = LoopbackPorts.FindFree(),
            Database = "postgres",
            LogFile = _directory.Combine("postgres.log"),
        });
        await server.StartAsync(CancellationToken.None);
        await using var connection = new NpgsqlConnection(server.ConnectionStringFor("mlopsdb"));
        await connection.OpenAsync();
        await using var encoding = new NpgsqlCommand("SHOW server_encoding", connection);
        Assert.Equal("UTF8", await encoding.ExecuteScalarAsync());
    }

    [Fact]
    public void A_folder_that_holds_something_else_is_refused_not_overwritten()
    {
        var data = _directory.Combine("postgres");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "notes.txt"), "mine");

        var failure = Assert.Throws<PlatformStartException>(() => PostgresDataFolder.EnsureInitialized(PostgresProgram.Find(configured: null), data, "mlopsdb"));

        Assert.Equal($"{data} is not empty but holds no PostgreSQL cluster (no PG_VERSION): empty it, or set MlOps__Home to another data folder.", failure.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(data, "notes.txt")));
    }

    [Fact]
    public void A_bin_folder_without_the_server_programs_says_how_to_install_them()
    {
        var failure = Assert.Throws<PlatformStartException>(() => PostgresProgram.Find(_directory.Path));

        Assert.Equal(
            $"initdb and postgres are not in {_directory.Path}: install PostgreSQL (`apt-get install -y postgresql`) or set MlOps__Postgres__BinDirectory to its bin folder.",
            failure.Message);
    }

    [Fact]
    public void As_root_a_data_folder_the_postgres_user_cannot_reach_is_named_with_the_fix()
    {
        var program = PostgresProgram.Find(configured: null);
        Assert.True(program.AsPostgresUser == UnixProcess.IsRoot);
        var locked = _directory.Combine("locked");
        Directory.CreateDirectory(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var data = Path.Combine(locked, "postgres");

        var failure = Record.Exception(() => PostgresDataFolder.EnsureInitialized(program, data, "mlopsdb"));

        if (program.AsPostgresUser)
        {
            Assert.Equal(
                $"The postgres user cannot reach {locked}, because {locked} is not traversable by others: run `chmod o+x {locked}`, or set MlOps__Home to a data folder elsewhere.",
                Assert.IsType<PlatformStartException>(failure).Message);
        }
        else
        {
            // Not root: PostgreSQL runs as us, who own the folder.
            Assert.Null(failure);
        }
    }

    public void Dispose() => _directory.Dispose();
}
