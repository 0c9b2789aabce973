using System.Net;
using Microsoft.EntityFrameworkCore;
using MlOps.ServiceDefaults.Database;
using MlOps.TestSupport;
using Npgsql;

namespace MlOps.ServiceDefaults.Tests;

/// <summary>A service's own tables, created by the two scripts under Migrations/ in this assembly.</summary>
public sealed class WidgetsDbContext(DbContextOptions<WidgetsDbContext> options) : DbContext(options);

public sealed class SchemaMigrationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Replicas_starting_together_apply_each_script_exactly_once()
    {
        var connectionString = await postgres.CreateDatabaseAsync("replicas");

        var replicas = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => StartReplicaAsync(connectionString)));
        try
        {
            foreach (var replica in replicas)
            {
                await WaitUntilReadyAsync(replica);
            }

            Assert.Equal(["0001_create_widgets", "0002_add_widget_color"], await AppliedAsync(connectionString));
            await ExecuteAsync(connectionString, "INSERT INTO widgets.widgets (name) VALUES ('gear')");
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }

        // A restart finds the schema current: nothing is applied again and the data is still there.
        await using var restarted = await StartReplicaAsync(connectionString);
        await WaitUntilReadyAsync(restarted);
        Assert.Equal(["0001_create_widgets", "0002_add_widget_color"], await AppliedAsync(connectionString));
        Assert.Equal("blue", await ScalarAsync(connectionString, "SELECT color FROM widgets.widgets WHERE name = 'gear'"));
    }

    [Fact]
    public async Task Only_the_service_schema_is_touched()
    {
        var connectionString = await postgres.CreateDatabaseAsync("isolation");
        await ExecuteAsync(connectionString, "CREATE SCHEMA other; CREATE TABLE other.widgets (x int)");

        await using var replica = await StartReplicaAsync(connectionString);
        await WaitUntilReadyAsync(replica);

        Assert.Equal(1L, await ScalarAsync(connectionString,
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'other' AND table_name = 'widgets'"));
        Assert.Equal(0L, await ScalarAsync(connectionString,
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"));
    }

    [Fact]
    public async Task A_stopped_service_leaves_no_database_connection_open()
    {
        var connectionString = await postgres.CreateDatabaseAsync("closing");
        var replica = await StartReplicaAsync(connectionString);
        await WaitUntilReadyAsync(replica);
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        var countSql = $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()";
        var open = await ScalarAsync(postgres.ConnectionString, countSql);

        await replica.DisposeAsync();

        Assert.True((long)open! > 0, "the running service should hold a pooled connection");
        await Eventually.ReturnsAsync(() => ScalarAsync(postgres.ConnectionString, countSql), count => (long)count! == 0, TimeSpan.FromSeconds(10), "the connections closing");
    }

    private static Task<TestApp> StartReplicaAsync(string connectionString) =>
        TestApp.StartAsync(
            _ => { },
            new Dictionary<string, string?> { ["ConnectionStrings:mlopsdb"] = connectionString },
            builder => builder.AddServiceDatabase<WidgetsDbContext>("widgets"));

    private static async Task WaitUntilReadyAsync(TestApp app) =>
        await Eventually.ReturnsAsync(
            async () => (await app.Client.GetAsync("/health")).StatusCode,
            status => status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            "the replica becoming ready");

    private static async Task<List<string>> AppliedAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM widgets.schema_migrations ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
