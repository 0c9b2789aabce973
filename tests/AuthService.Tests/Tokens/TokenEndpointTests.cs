using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using MlOps.TestSupport;

namespace MlOps.AuthService.Tests.Tokens;

public sealed class TokenEndpointTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly string[] ViewerRole = ["viewer"];

    [Fact]
    public async Task The_password_grant_answers_a_signed_access_token_and_a_refresh_token()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);

        using var response = await host.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "admin", ["password"] = TokenServiceHost.AdminPassword,
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        // Counted down from the token's expiry when the answer is written.
        Assert.InRange(body.GetProperty("expires_in").GetInt32(), 898, 900);
        Assert.Equal("mlops.admin mlops.predict mlops.read mlops.train", body.GetProperty("scope").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("refresh_token").GetString()));
        var token = new JsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal(TokenServiceHost.Issuer + "/", token.Issuer);
        Assert.Equal(["mlops"], token.Audiences);
        Assert.Equal("admin", token.GetClaim("name").Value);
        Assert.Equal("admin", token.GetClaim("role").Value);
        // No client asked, so none is named.
        Assert.False(token.TryGetClaim("client_id", out _));
        Assert.False(string.IsNullOrEmpty(token.Id));
        Assert.False(string.IsNullOrEmpty(token.Kid));
        Assert.Equal(token.IssuedAt.AddMinutes(15), token.ValidTo);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_user_get_the_same_answer()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);

        var wrong = await ErrorAsync(host, new() { ["grant_type"] = "password", ["username"] = "admin", ["password"] = "not the password" });
        var unknown = await ErrorAsync(host, new() { ["grant_type"] = "password", ["username"] = "nobody", ["password"] = "whatever it is" });

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (wrong.Status, wrong.Error));
        Assert.Equal(wrong.Description, unknown.Description);
        Assert.Equal(wrong.Error, unknown.Error);
    }

    [Theory]
    [InlineData("", "invalid_request")]
    [InlineData("urn:ietf:params:oauth:grant-type:jwt-bearer", "unsupported_grant_type")]
    [InlineData("authorization_code", "invalid_request")]
    [InlineData("urn:ietf:params:oauth:grant-type:device_code", "invalid_request")]
    [InlineData("password", "invalid_request")]
    [InlineData("refresh_token", "invalid_request")]
    public async Task Malformed_requests_get_their_RFC_6749_error(string grantType, string expected)
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);

        var error = await ErrorAsync(host, new() { ["grant_type"] = grantType });

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal(expected, error.Error);
    }

    [Fact]
    public async Task A_request_that_is_not_form_encoded_is_invalid()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);

        using var response = await host.Client.PostAsJsonAsync("/connect/token", new { grant_type = "password" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Requested_scopes_are_narrowed_to_what_the_roles_allow()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        using var admin = await host.AdminClientAsync();
        (await admin.PostAsJsonAsync("/api/auth/users", new { userName = "dana", password = "a long enough password", roles = ViewerRole })).EnsureSuccessStatusCode();

        var narrowed = await host.PasswordTokenAsync("dana", "a long enough password", "mlops.read mlops.train");
        var nothingLeft = await ErrorAsync(host, new() { ["grant_type"] = "password", ["username"] = "dana", ["password"] = "a long enough password", ["scope"] = "mlops.admin" });
        var unknown = await ErrorAsync(host, new() { ["grant_type"] = "password", ["username"] = "dana", ["password"] = "a long enough password", ["scope"] = "mlops.read root" });

        Assert.Equal("mlops.read", narrowed.GetProperty("scope").GetString());
        Assert.Equal("invalid_scope", nothingLeft.Error);
        Assert.Equal("invalid_scope", unknown.Error);
        Assert.Contains("root", unknown.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_client_credentials_grant_authenticates_by_basic_or_body_and_carries_the_client_scopes()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);

        using var basic = await host.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials" },
            (TokenServiceHost.PlatformClientId, TokenServiceHost.PlatformClientSecret));
        using var body = await host.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["scope"] = "mlops.read",
            ["client_id"] = TokenServiceHost.PlatformClientId, ["client_secret"] = TokenServiceHost.PlatformClientSecret,
        });
        var basicBody = await basic.Content.ReadFromJsonAsync<JsonElement>();
        var bodyBody = await body.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        Assert.Equal("mlops.predict mlops.read mlops.train", basicBody.GetProperty("scope").GetString());
        Assert.False(basicBody.TryGetProperty("refresh_token", out _));
        var token = new JsonWebToken(basicBody.GetProperty("access_token").GetString());
        Assert.Equal(TokenServiceHost.PlatformClientId, token.Subject);
        Assert.Equal(TokenServiceHost.PlatformClientId, token.GetClaim("client_id").Value);
        Assert.Equal("mlops.read", bodyBody.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Wrong_or_missing_client_credentials_are_invalid_client_with_401()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);

        using var wrong = await host.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials" },
            (TokenServiceHost.PlatformClientId, "not-the-secret"));
        var missing = await ErrorAsync(host, new() { ["grant_type"] = "client_credentials" });
        var wrongBody = await wrong.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("invalid_client", wrongBody.GetProperty("error").GetString());
        Assert.StartsWith("Basic", wrong.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        // No credentials at all is a request missing its client_id (OpenIddict's answer, RFC 6749 §5.2).
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (missing.Status, missing.Error));
    }

    [Fact]
    public async Task A_refresh_token_rotates_and_its_reuse_revokes_the_whole_family()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        var first = (await host.PasswordTokenAsync(scope: "mlops.read mlops.train")).GetProperty("refresh_token").GetString()!;

        using var rotated = await host.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = first });
        var rotatedBody = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        var second = rotatedBody.GetProperty("refresh_token").GetString()!;
        var reused = await ErrorAsync(host, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = first });
        var afterTheft = await ErrorAsync(host, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = second });

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.NotEqual(first, second);
        Assert.Equal("mlops.read mlops.train", rotatedBody.GetProperty("scope").GetString());
        Assert.Equal("invalid_grant", reused.Error);
        Assert.Contains("already been redeemed", reused.Description, StringComparison.Ordinal);
        Assert.Equal("invalid_grant", afterTheft.Error);
    }

    [Fact]
    public async Task A_refresh_may_narrow_the_scope_but_not_widen_it()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        var refresh = (await host.PasswordTokenAsync(scope: "mlops.read mlops.train")).GetProperty("refresh_token").GetString()!;

        var widened = await ErrorAsync(host, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["scope"] = "mlops.admin" });

        // OpenIddict's answer to a scope the refresh token was not granted.
        Assert.Equal(("invalid_grant", "The specified 'scope' is invalid."), (widened.Error, widened.Description));
    }

    internal static async Task<(HttpStatusCode Status, string Error, string Description)> ErrorAsync(TokenServiceHost host, Dictionary<string, string> form)
    {
        using var response = await host.TokenAsync(form);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body.GetProperty("error").GetString()!, body.GetProperty("error_description").GetString()!);
    }
}
