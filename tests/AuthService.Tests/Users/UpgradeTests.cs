using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using MlOps.AuthService.Persistence;
using MlOps.AuthService.Tests.Keys;
using MlOps.AuthService.Tests.Tokens;
using MlOps.ServiceDefaults.Database;
using MlOps.TestSupport;
using Npgsql;

namespace MlOps.AuthService.Tests.Users;

/// <summary>A platform that ran before people moved to ASP.NET Core Identity keeps its accounts, roles and clients.</summary>
public sealed class UpgradeTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    /// <summary>The last script of the schema as it was before Identity.</summary>
    private const string LastScriptBeforeIdentity = "0100_signing_keys";

    private const string OldPassword = "an old password of erin";
    private const string OldClientSecret = "an old client secret 0123456789";

    [Fact]
    public async Task Users_roles_and_clients_of_the_old_schema_sign_in_as_before_after_the_upgrade()
    {
        var connectionString = await AuthServiceHost.NewDatabaseAsync(postgres);
        await CreateOldSchemaWithDataAsync(connectionString);

        await using var host = await TokenServiceHost.StartAsync(postgres, connectionString: connectionString);
        var erin = await host.PasswordTokenAsync("erin", OldPassword);
        using var client = await host.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, ("old-app", OldClientSecret));
        var clientToken = await client.Content.ReadFromJsonAsync<JsonElement>();
        // Migration 0400 gave the old client the endpoints added since: it may introspect its own token.
        using var introspected = await host.Client.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = clientToken.GetProperty("access_token").GetString()!, ["client_id"] = "old-app", ["client_secret"] = OldClientSecret,
        }));
        using var disabled = await host.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "frank", ["password"] = OldPassword,
        });
        using var admin = await host.AdminClientAsync();
        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/auth/users");

        // Erin's password and role carried over: a data scientist's scopes, no admin.
        Assert.Equal("mlops.predict mlops.read mlops.train", erin.GetProperty("scope").GetString());
        Assert.Equal(HttpStatusCode.OK, client.StatusCode);
        Assert.Equal("mlops.read", clientToken.GetProperty("scope").GetString());
        Assert.True((await introspected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("active").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, disabled.StatusCode);
        var users = listed.GetProperty("items").EnumerateArray().ToDictionary(
            user => user.GetProperty("userName").GetString()!,
            user => (Roles: string.Join(",", user.GetProperty("roles").EnumerateArray().Select(role => role.GetString())), Disabled: user.GetProperty("disabled").GetBoolean()));
        // The old admin stays the only admin: the bootstrap made no second one.
        Assert.Equal(["admin", "erin", "frank"], users.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("admin", false), users["admin"]);
        Assert.Equal(("data-scientist,viewer", false), users["erin"]);
        Assert.Equal(("viewer", true), users["frank"]);
    }

    /// <summary>The schema's scripts up to <see cref="LastScriptBeforeIdentity"/>, applied as the migrator applied them, and data of that time.</summary>
    private static async Task CreateOldSchemaWithDataAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, """
            CREATE SCHEMA auth;
            CREATE TABLE auth.schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
            """);
        foreach (var (id, sql) in new SchemaMigrations(AuthDbContext.Schema, typeof(AuthDbContext).Assembly).Load()
                     .Where(script => string.CompareOrdinal(script.Id, LastScriptBeforeIdentity) <= 0))
        {
            await ExecuteAsync(connection, $"SET search_path TO auth;\n{sql}\nINSERT INTO auth.schema_migrations (id) VALUES ('{id}');");
        }

        var people = new PasswordHasher<object>();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO auth.users (id, user_name, normalized_user_name, password_hash, roles, disabled, created_at, updated_at) VALUES
                (gen_random_uuid(), 'admin', 'ADMIN', @admin, ARRAY['admin'], false, now(), now()),
                (gen_random_uuid(), 'erin', 'ERIN', @erin, ARRAY['data-scientist', 'viewer'], false, now(), now()),
                (gen_random_uuid(), 'frank', 'FRANK', @frank, ARRAY['viewer'], true, now(), now());
            INSERT INTO auth.clients (client_id, display_name, secret_hash, scopes, disabled, created_at, secret_rotated_at)
                VALUES ('old-app', 'An app of before', @secret, ARRAY['mlops.read'], false, now(), now());
            """, connection);
        insert.Parameters.AddWithValue("admin", people.HashPassword(new object(), TokenServiceHost.AdminPassword));
        insert.Parameters.AddWithValue("erin", people.HashPassword(new object(), OldPassword));
        insert.Parameters.AddWithValue("frank", people.HashPassword(new object(), OldPassword));
        insert.Parameters.AddWithValue("secret", new PasswordHasher<object>().HashPassword(new object(), OldClientSecret));
        await insert.ExecuteNonQueryAsync();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
