using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.TestSupport;

namespace MlOps.Gateway.Tests;

public sealed class EdgeTests(Backends backends) : IClassFixture<Backends>
{
    [Fact]
    public async Task A_caller_over_its_rate_gets_429_with_retry_after_and_a_problem_body()
    {
        await using var gateway = GatewayFactory.Create(backends.Addresses, new Dictionary<string, string>
        {
            ["Gateway:RateLimits:PermitsPerSecond"] = "1",
            ["Gateway:RateLimits:Burst"] = "2",
        });
        using var client = gateway.CreateClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 4 && refused is null; i++)
        {
            var response = await client.GetAsync("/api/datasets");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(2));
    }

    [Fact]
    public async Task Callers_are_limited_by_token_subject_not_together()
    {
        await using var issuer = await TestIssuer.StartAsync();
        var key = issuer.NewRsaKey();
        await using var gateway = GatewayFactory.Create(backends.Addresses, new Dictionary<string, string>
        {
            ["Auth:Authority"] = issuer.Issuer,
            ["Gateway:RateLimits:PermitsPerSecond"] = "1",
            ["Gateway:RateLimits:Burst"] = "1",
        });
        using var client = gateway.CreateClient();

        var alice = issuer.CreateToken(key, subject: "alice");
        var bob = issuer.CreateToken(key, subject: "bob");

        Assert.Equal(HttpStatusCode.OK, await GetStatusAsync(client, alice));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetStatusAsync(client, alice));
        Assert.Equal(HttpStatusCode.OK, await GetStatusAsync(client, bob));
    }

    [Fact]
    public async Task Token_and_sign_in_posts_share_their_own_smaller_limit()
    {
        await using var gateway = GatewayFactory.Create(backends.Addresses, new Dictionary<string, string>
        {
            ["Gateway:RateLimits:TokenRequestsPerMinute"] = "2",
        });
        using var client = gateway.CreateClient();

        var statuses = new List<HttpStatusCode>();
        foreach (var path in new[] { "/connect/token", "/connect/signin", "/connect/device" })
        {
            using var response = await client.PostAsync(path, new FormUrlEncodedContent([]));
            statuses.Add(response.StatusCode);
        }

        using var other = await client.GetAsync("/api/models");
        using var signInPage = await client.GetAsync("/connect/signin");
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signInPage.StatusCode);
    }

    [Fact]
    public async Task Cors_allows_configured_origins_only()
    {
        await using var gateway = GatewayFactory.Create(backends.Addresses, new Dictionary<string, string>
        {
            ["Gateway:Cors:AllowedOrigins:0"] = "https://ui.example.com",
        });
        using var client = gateway.CreateClient();

        using var allowed = await PreflightAsync(client, "https://ui.example.com");
        using var refused = await PreflightAsync(client, "https://evil.example.com");

        Assert.Equal("https://ui.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static async Task<HttpStatusCode> GetStatusAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static Task<HttpResponseMessage> PreflightAsync(HttpClient client, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/predict/churn");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return client.SendAsync(request);
    }
}
