using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MlOps.AuthService.Keys;
using MlOps.TestSupport;
using Npgsql;

namespace MlOps.AuthService.Tests.Keys;

/// <summary>The auth service in process against a real PostgreSQL database, optionally on a hand-moved clock.</summary>
internal static class AuthServiceHost
{
    public const string Issuer = "https://auth.mlops.test";

    public static WebApplicationFactory<Program> Create(
        string connectionString,
        TimeProvider? time = null,
        IReadOnlyDictionary<string, string>? settings = null,
        bool backgroundRotation = true) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            web.UseSetting("ConnectionStrings:mlopsdb", connectionString);
            web.UseSetting("Auth:Authority", "http://127.0.0.1:9");
            web.UseSetting("TokenService:Issuer", Issuer);
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                web.UseSetting(key, value);
            }

            web.ConfigureTestServices(services =>
            {
                if (time is not null)
                {
                    services.RemoveAll<TimeProvider>();
                    services.AddSingleton(time);
                }

                if (!backgroundRotation)
                {
                    foreach (var rotation in services.Where(d => d.ImplementationType == typeof(SigningKeyRotation)).ToList())
                    {
                        services.Remove(rotation);
                    }
                }
            });
        });

    /// <summary>The answer to a GET on the token server's paths once it is open (it answers 503 until its keys are read).</summary>
    public static Task<HttpResponseMessage> GetWhenOpenAsync(this HttpClient client, string path, Func<string, bool>? done = null) =>
        Eventually.ReturnsAsync(
            () => client.GetAsync(path),
            response => response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable
                && (done is null || done(response.Content.ReadAsStringAsync().GetAwaiter().GetResult())),
            TimeSpan.FromSeconds(60),
            $"{path} answering");

    /// <summary>A new empty database on the fixture's server, so a test sees only the keys it made.</summary>
    public static Task<string> NewDatabaseAsync(PostgresFixture postgres) =>
        postgres.CreateDatabaseAsync("keys_" + Guid.NewGuid().ToString("N")[..12]);

    public static ISigningKeys SigningKeys(this WebApplicationFactory<Program> service) =>
        service.Services.GetRequiredService<ISigningKeys>();

    public static async Task<string> CurrentKidAsync(this WebApplicationFactory<Program> service) =>
        (await service.SigningKeys().GetSigningCredentialsAsync(CancellationToken.None)).Key.KeyId;

    /// <summary>
    /// The kids of the JWKS the service publishes, in order; with <paramref name="until"/>, read again until they match,
    /// because a key that takes its turn with time is published from the request after the one that noticed it.
    /// </summary>
    public static async Task<IReadOnlyList<string>> PublishedKidsAsync(
        this WebApplicationFactory<Program> service, Func<IReadOnlyList<string>, bool>? until = null)
    {
        using var client = service.CreateClient();
        using var response = await client.GetWhenOpenAsync("/.well-known/jwks", until is null ? null : jwks => until(Kids(jwks)));
        return Kids(await response.Content.ReadAsStringAsync());
    }

    private static string[] Kids(string jwks) =>
        [.. System.Text.Json.JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray()
            .Select(key => key.GetProperty("kid").GetString()!).Order(StringComparer.Ordinal)];

    public static async Task<List<(string Kid, string Algorithm, string ProtectedKey, string PublicJwk, DateTimeOffset ActivatesAt)>> ReadKeysAsync(
        string connectionString)
    {
        var rows = new List<(string, string, string, string, DateTimeOffset)>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT kid, algorithm, protected_key, public_jwk, activates_at FROM auth.signing_keys ORDER BY activates_at", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return rows;
    }
}
