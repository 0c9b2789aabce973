using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.AuthService.Tests.Tokens;
using MlOps.TestSupport;

namespace MlOps.AuthService.Tests.Flows;

/// <summary>
/// Revocation (RFC 7009) and introspection (RFC 7662) for confidential clients: a client asks about and revokes its own
/// tokens, a revoked refresh token is refused when used again, and nobody else learns about a client's tokens.
/// </summary>
public sealed class RevocationAndIntrospectionTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_client_introspects_its_token_revokes_it_and_then_sees_it_inactive()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        var secret = (await BrowserSession.RegisterClientAsync(host, "ops-tool", ["mlops.read"]))!;
        var token = (await TokenAsync(host, new() { ["grant_type"] = "client_credentials" }, "ops-tool", secret)).GetProperty("access_token").GetString()!;

        var active = await IntrospectAsync(host, token, "ops-tool", secret);
        Assert.True(active.GetProperty("active").GetBoolean(), active.ToString());
        Assert.Equal("ops-tool", active.GetProperty("client_id").GetString());
        Assert.Equal("ops-tool", active.GetProperty("sub").GetString());
        Assert.Equal("mlops", active.GetProperty("aud").GetString());
        Assert.True(active.GetProperty("exp").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        using var revoked = await PostAsync(host, "/connect/revoke", new() { ["token"] = token }, "ops-tool", secret);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);

        var inactive = await IntrospectAsync(host, token, "ops-tool", secret);
        Assert.False(inactive.GetProperty("active").GetBoolean());
        Assert.Single(inactive.EnumerateObject());
    }

    [Fact]
    public async Task A_revoked_refresh_token_is_refused_when_used_again()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        var secret = (await BrowserSession.RegisterClientAsync(host, "ops-tool", ["mlops.read"]))!;
        var tokens = await TokenAsync(host, new()
        {
            ["grant_type"] = "password",
            ["username"] = "admin",
            ["password"] = TokenServiceHost.AdminPassword,
        }, "ops-tool", secret);
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        using var revoked = await PostAsync(host, "/connect/revoke", new() { ["token"] = refresh, ["token_type_hint"] = "refresh_token" }, "ops-tool", secret);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        using var reused = await PostAsync(host, "/connect/token", new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh }, "ops-tool", secret);

        var error = await reused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        Assert.Equal("invalid_grant", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Introspection_needs_a_confidential_clients_credentials_and_tells_a_client_nothing_of_anothers_tokens()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        var secret = (await BrowserSession.RegisterClientAsync(host, "ops-tool", ["mlops.read"]))!;
        var otherSecret = (await BrowserSession.RegisterClientAsync(host, "other-tool", ["mlops.read"]))!;
        var token = (await TokenAsync(host, new() { ["grant_type"] = "client_credentials" }, "ops-tool", secret)).GetProperty("access_token").GetString()!;

        using var anonymous = await host.Client.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        using var wrongSecret = await PostAsync(host, "/connect/introspect", new() { ["token"] = token }, "ops-tool", "not-the-secret");
        using var publicClient = await PostAsync(host, "/connect/introspect", new() { ["token"] = token }, "mlops-cli", secret: null);
        var other = await IntrospectAsync(host, token, "other-tool", otherSecret);

        Assert.Equal(HttpStatusCode.BadRequest, anonymous.StatusCode);
        Assert.Equal("invalid_request", (await anonymous.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        Assert.Equal("invalid_client", (await wrongSecret.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.True(publicClient.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, publicClient.StatusCode.ToString());
        Assert.False(other.GetProperty("active").GetBoolean());
    }

    private static async Task<JsonElement> TokenAsync(TokenServiceHost host, Dictionary<string, string> form, string clientId, string secret)
    {
        using var response = await PostAsync(host, "/connect/token", form, clientId, secret);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    private static async Task<JsonElement> IntrospectAsync(TokenServiceHost host, string token, string clientId, string secret)
    {
        using var response = await PostAsync(host, "/connect/introspect", new() { ["token"] = token }, clientId, secret);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private static Task<HttpResponseMessage> PostAsync(TokenServiceHost host, string path, Dictionary<string, string> form, string clientId, string? secret)
    {
        form["client_id"] = clientId;
        if (secret is not null)
        {
            form["client_secret"] = secret;
        }

        return host.Client.PostAsync(path, new FormUrlEncodedContent(form));
    }
}
