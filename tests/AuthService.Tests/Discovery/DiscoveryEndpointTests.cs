using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using MlOps.AuthService.Discovery;
using MlOps.AuthService.Tests.Keys;
using MlOps.AuthService.Tokens;
using MlOps.ServiceConventions.Auth;
using MlOps.TestSupport;

namespace MlOps.AuthService.Tests.Discovery;

public sealed class DiscoveryEndpointTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly HashSet<string> PublicMembers = ["kty", "kid", "use", "alg", "crv", "x", "y", "n", "e"];

    [Fact]
    public async Task Discovery_document_names_the_issuer_endpoints_grants_scopes_and_algorithms_without_a_token()
    {
        var database = await AuthServiceHost.NewDatabaseAsync(postgres);
        await using var service = AuthServiceHost.Create(
            database, settings: new Dictionary<string, string> { ["TokenService:Issuer"] = "https://auth.mlops.test/" });
        using var client = service.CreateClient();

        using var response = await client.GetWhenOpenAsync("/.well-known/openid-configuration");
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        // OpenIddict's document: the issuer with its trailing slash, as the tokens name it.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://auth.mlops.test/", document.GetProperty("issuer").GetString());
        // Endpoints are named on the address the document was asked at.
        Assert.Equal("http://localhost/connect/token", document.GetProperty("token_endpoint").GetString());
        Assert.Equal("http://localhost/.well-known/jwks", document.GetProperty("jwks_uri").GetString());
        Assert.Equal("http://localhost/connect/authorize", document.GetProperty("authorization_endpoint").GetString());
        Assert.Equal("http://localhost/connect/device", document.GetProperty("device_authorization_endpoint").GetString());
        Assert.Equal("http://localhost/connect/revoke", document.GetProperty("revocation_endpoint").GetString());
        Assert.Equal("http://localhost/connect/introspect", document.GetProperty("introspection_endpoint").GetString());
        Assert.Equal(
            ["authorization_code", "client_credentials", "password", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
            Strings(document, "grant_types_supported").Order(StringComparer.Ordinal));
        Assert.Equal(["code"], Strings(document, "response_types_supported"));
        Assert.Equal(["S256"], Strings(document, "code_challenge_methods_supported"));
        Assert.Superset(new HashSet<string>([.. Scopes.All, "offline_access", "openid", "profile"]), Strings(document, "scopes_supported").ToHashSet());
        Assert.Superset(new HashSet<string>(["client_secret_post", "client_secret_basic"]), Strings(document, "token_endpoint_auth_methods_supported").ToHashSet());
    }

    [Fact]
    public async Task Key_set_holds_only_public_members_of_the_current_and_next_keys()
    {
        var database = await AuthServiceHost.NewDatabaseAsync(postgres);
        var clock = ManualTimeProvider.StartingNow();
        await using var service = AuthServiceHost.Create(database, clock);
        using var client = service.CreateClient();
        var current = await service.CurrentKidAsync();
        clock.Advance(TimeSpan.FromDays(29)); // within the publish-ahead window of the next key

        // The rotation check that follows makes the next key and publishes it.
        using var response = await client.GetWhenOpenAsync("/.well-known/jwks", jwks => JsonDocument.Parse(jwks).RootElement.GetProperty("keys").GetArrayLength() == 2);
        var keys = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("keys");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await AuthServiceHost.ReadKeysAsync(database);
        Assert.Equal(2, stored.Count);
        Assert.Equal(current, stored[0].Kid);
        Assert.Equal(stored.Select(key => key.Kid).Order(StringComparer.Ordinal),
            keys.EnumerateArray().Select(key => key.GetProperty("kid").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(current, await service.CurrentKidAsync());
        foreach (var key in keys.EnumerateArray())
        {
            Assert.All(key.EnumerateObject(), member => Assert.Contains(member.Name, PublicMembers));
            Assert.Equal("EC", key.GetProperty("kty").GetString());
            Assert.Equal("sig", key.GetProperty("use").GetString());
            Assert.Equal("ES256", key.GetProperty("alg").GetString());
            Assert.Equal("P-256", key.GetProperty("crv").GetString());
            Assert.Equal(32, Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(key.GetProperty("x").GetString()).Length);
        }
    }

    [Theory]
    [InlineData("https://configured.test/", "https://configured.test")]
    [InlineData(" http://127.0.0.1:41234/ ", "http://127.0.0.1:41234")]
    [InlineData(null, "http://127.0.0.1:8011")]
    [InlineData("", "http://127.0.0.1:8011")]
    public void Issuer_is_the_configured_one_else_the_fixed_port(string? configured, string expected) =>
        Assert.Equal(expected, IssuerResolver.Resolve(new TokenServiceOptions { Issuer = configured }));

    private static string[] Strings(JsonElement document, string name) =>
        [.. document.GetProperty(name).EnumerateArray().Select(value => value.GetString()!)];
}
