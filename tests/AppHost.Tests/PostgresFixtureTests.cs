using MlOps.TestSupport;
using Npgsql;

namespace MlOps.AppHost.Tests;

/// <summary>The shared fixture other test projects use for a real database.</summary>
public sealed class PostgresFixtureTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Serves_its_database_and_creates_more()
    {
        Assert.Equal(1, await ScalarAsync(postgres.ConnectionString, "SELECT 1"));

        var isolated = await postgres.CreateDatabaseAsync("isolated");
        Assert.Equal("isolated", new NpgsqlConnectionStringBuilder(isolated).Database);
        Assert.Equal(1, await ScalarAsync(isolated, "SELECT 1"));
    }

    private static async Task<int> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
