using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MlOps.ServiceConventions.Auth;
using MlOps.TestSupport;

namespace MlOps.ServiceConventions.Tests;

public sealed class TokenValidationTests : IAsyncLifetime
{
    private TestIssuer _issuer = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _issuer = await TestIssuer.StartAsync();
        _app = await TestApp.StartAsync(
            web =>
            {
                web.MapGet("/read", (HttpContext context) => context.User.FindFirst("sub")!.Value).RequireAuthorization(Scopes.Read);
                web.MapGet("/admin", () => "admin").RequireAuthorization(Scopes.Admin);
                web.MapGet("/any", () => "any");
            },
            new Dictionary<string, string?> { ["Auth:Authority"] = _issuer.Issuer });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    [Fact]
    public async Task An_RS256_token_with_the_scope_is_accepted()
    {
        var token = _issuer.CreateToken(_issuer.NewRsaKey(), scope: "mlops.read mlops.train");

        using var response = await GetAsync("/read", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("alice", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_ES256_token_with_the_scope_is_accepted()
    {
        var token = _issuer.CreateToken(_issuer.NewEcdsaKey());

        using var response = await GetAsync("/read", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_valid_token_without_the_endpoint_scope_is_forbidden()
    {
        var token = _issuer.CreateToken(_issuer.NewRsaKey(), scope: "mlops.read mlops.predict");

        using var response = await GetAsync("/admin", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Endpoints_without_a_policy_still_need_a_token()
    {
        using var anonymous = await GetAsync("/any", token: null);
        using var authenticated = await GetAsync("/any", _issuer.CreateToken(_issuer.NewRsaKey()));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
    }

    [Fact]
    public async Task An_expired_token_is_rejected()
    {
        var token = _issuer.CreateToken(
            _issuer.NewRsaKey(), expires: DateTime.UtcNow.AddMinutes(-5), notBefore: DateTime.UtcNow.AddMinutes(-20));

        using var response = await GetAsync("/read", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_rejected()
    {
        var token = _issuer.CreateToken(_issuer.NewRsaKey(), issuer: "http://evil.example");

        using var response = await GetAsync("/read", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_rejected()
    {
        var token = _issuer.CreateToken(_issuer.NewRsaKey(), audience: "some-other-api");

        using var response = await GetAsync("/read", token);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // Both audiences named, in the challenge and in the body.
        const string Expected = "The token is for audience 'some-other-api'; this platform accepts tokens for 'mlops'.";
        Assert.Contains($"error_description=\"{Expected}\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(Expected, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_token_signed_by_an_unpublished_key_is_rejected()
    {
        _issuer.NewRsaKey();
        var token = _issuer.CreateToken(_issuer.NewRsaKey(publish: false));

        using var response = await GetAsync("/read", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_rejected()
    {
        _issuer.NewRsaKey();

        using var response = await GetAsync("/read", _issuer.CreateUnsignedToken());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_key_published_after_start_is_picked_up_without_a_restart()
    {
        using (var first = await GetAsync("/read", _issuer.CreateToken(_issuer.NewRsaKey())))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var rotated = _issuer.CreateToken(_issuer.NewRsaKey());

        // An unknown kid makes the validator fetch the key set again; the refresh completes in the background, so
        // the token is accepted once it lands rather than on the very first call.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        HttpStatusCode status;
        do
        {
            using var response = await GetAsync("/read", rotated);
            status = response.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                await Task.Delay(100);
            }
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _app.Client.SendAsync(request);
    }
}
