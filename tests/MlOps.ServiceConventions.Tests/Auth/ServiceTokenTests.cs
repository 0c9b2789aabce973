using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceDefaults.Http;
using MlOps.TestSupport;

namespace MlOps.ServiceConventions.Tests.Auth;

/// <summary>
/// A caller service reaches a scope-protected callee with its client-credentials token from a real token endpoint
/// (<see cref="TestIssuer"/>), through <c>AddHttpClient(...)</c> addressed by service name and <c>AddServiceToken()</c>.
/// </summary>
public sealed class ServiceTokenTests : IAsyncLifetime
{
    private const string ClientId = "svc-trainer";

    // Characters that RFC 6749 §2.3.1 form-encoding must carry through HTTP Basic intact.
    private const string Secret = "s3cr3t:with+odd %chars/é";

    private readonly ConcurrentBag<string> _tokensSeen = [];
    private int _flakyHits;
    private int _refusingHits;
    private TestIssuer _issuer = null!;
    private TestApp _callee = null!;

    public async Task InitializeAsync()
    {
        _issuer = await TestIssuer.StartAsync();
        _issuer.RegisterClient(ClientId, Secret, "mlops.read mlops.train");
        _callee = await TestApp.StartAsync(
            web =>
            {
                web.MapGet("/read", (HttpContext context) =>
                {
                    _tokensSeen.Add(context.Request.Headers.Authorization.ToString());
                    return context.User.FindFirst("sub")!.Value;
                }).RequireAuthorization(Scopes.Read);
                web.MapGet("/train", () => "trained").RequireAuthorization(Scopes.Train);
                // Refuses the first token it sees, as a callee does whose keys rotated or that revoked the token.
                web.MapGet("/refuses-once", (HttpContext context) =>
                {
                    _tokensSeen.Add(context.Request.Headers.Authorization.ToString());
                    return Interlocked.Increment(ref _flakyHits) == 1 ? Results.Unauthorized() : Results.Text("ok");
                }).RequireAuthorization(Scopes.Read);
                web.MapGet("/refuses-always", () =>
                {
                    Interlocked.Increment(ref _refusingHits);
                    return Results.Unauthorized();
                }).RequireAuthorization(Scopes.Read);
            },
            new Dictionary<string, string?> { ["Auth:Authority"] = _issuer.Issuer });
    }

    public async Task DisposeAsync()
    {
        await _callee.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    [Fact]
    public async Task A_call_with_the_service_token_reaches_a_scope_protected_endpoint()
    {
        await using var caller = await StartCallerAsync();

        using var response = await caller.Client.GetAsync(new Uri("/read", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ClientId, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, _issuer.TokensIssued);
    }

    [Fact]
    public async Task The_configured_scope_is_the_one_asked_for()
    {
        await using var readOnly = await StartCallerAsync();
        await using var trainer = await StartCallerAsync(settings: new() { ["Auth:Client:Scope"] = "mlops.read mlops.train" });

        using var refused = await readOnly.Client.GetAsync(new Uri("/train", UriKind.Relative));
        using var allowed = await trainer.Client.GetAsync(new Uri("/train", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Twenty_concurrent_calls_fetch_one_token()
    {
        await using var caller = await StartCallerAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => caller.Client.GetAsync(new Uri("/read", UriKind.Relative))));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal(1, _issuer.TokensIssued);
        Assert.Single(_tokensSeen.Distinct());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_token_is_reused_until_the_refresh_margin_and_then_refreshed()
    {
        _issuer.TokenLifetime = TimeSpan.FromMinutes(5);
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var caller = await StartCallerAsync(clock: clock);

        await GetOkAsync(caller, "/read");
        clock.Advance(TimeSpan.FromMinutes(3));
        await GetOkAsync(caller, "/read");
        Assert.Equal(1, _issuer.TokensIssued);

        // Five minutes less the default 60 s margin: the token is fetched again before it lapses.
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await GetOkAsync(caller, "/read");
        await GetOkAsync(caller, "/read");

        Assert.Equal(2, _issuer.TokensIssued);
        Assert.Equal(2, _tokensSeen.Distinct().Count());
    }

    [Fact]
    public async Task A_401_from_the_callee_refreshes_the_token_once_and_retries_the_call()
    {
        await using var caller = await StartCallerAsync();

        using var response = await caller.Client.GetAsync(new Uri("/refuses-once", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _flakyHits);
        Assert.Equal(2, _issuer.TokensIssued);
        Assert.Equal(2, _tokensSeen.Distinct().Count());
    }

    [Fact]
    public async Task A_callee_that_keeps_refusing_is_retried_only_once()
    {
        await using var caller = await StartCallerAsync();

        using var response = await caller.Client.GetAsync(new Uri("/refuses-always", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, _refusingHits);
        Assert.Equal(2, _issuer.TokensIssued);
    }

    [Fact]
    public async Task Wrong_credentials_are_a_clear_error_naming_invalid_client_without_the_secret()
    {
        const string wrongSecret = "not-the-secret-4711";
        await using var caller = await StartCallerAsync(secret: wrongSecret);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => caller.Client.GetAsync(new Uri("/read", UriKind.Relative)));

        Assert.Contains("invalid_client", error.Message, StringComparison.Ordinal);
        Assert.Contains(ClientId, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongSecret, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, _issuer.TokensIssued);
        Assert.Empty(_tokensSeen);
    }

    [Fact]
    public async Task Missing_credentials_are_a_clear_error_naming_the_settings()
    {
        await using var caller = await StartCallerAsync(secret: null);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => caller.Client.GetAsync(new Uri("/read", UriKind.Relative)));

        Assert.Contains("Auth__Client__ClientSecret", error.Message, StringComparison.Ordinal);
        Assert.Empty(_tokensSeen);
    }

    private static async Task GetOkAsync(Caller caller, string path)
    {
        using var response = await caller.Client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<Caller> StartCallerAsync(
        string? secret = Secret, Dictionary<string, string?>? settings = null, TimeProvider? clock = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Auth:Authority"] = _issuer.Issuer,
            ["services:callee:http:0"] = _callee.Address.ToString(),
            ["Auth:Client:ClientId"] = ClientId,
            ["Auth:Client:ClientSecret"] = secret,
        };
        foreach (var (name, value) in settings ?? [])
        {
            all[name] = value;
        }

        var app = await TestApp.StartAsync(
            _ => { },
            all,
            builder =>
            {
                if (clock is not null)
                {
                    builder.Services.AddSingleton(clock);
                }

                builder.Services.AddHttpClient("callee").ConfigureHttpClient(client => client.BaseAddress = new Uri("http://callee")).AddServiceToken();
            });
        return new Caller(app);
    }

    private sealed class Caller(TestApp app) : IAsyncDisposable
    {
        public HttpClient Client { get; } = app.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("callee");

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
