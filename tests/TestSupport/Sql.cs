using Npgsql;

namespace MlOps.TestSupport;

/// <summary>Reading a test database directly, for assertions on the rows a service wrote.</summary>
public static class Sql
{
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    public static async Task<long> CountAsync(string connectionString, string sql) =>
        Convert.ToInt64(await ScalarAsync(connectionString, sql), System.Globalization.CultureInfo.InvariantCulture);
}
