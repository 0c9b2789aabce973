using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.Tokens;
using MlOps.Contracts.Monitoring;
using MlOps.TestSupport;

namespace MlOps.MonitoringService.Tests.Policies;

/// <summary>The policy endpoints of the monitoring service in process, against a real PostgreSQL database.</summary>
public sealed class PolicyTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private TestIssuer _issuer = null!;
    private SecurityKey _key = null!;
    private WebApplicationFactory<Program> _factory = null!;

    public async Task InitializeAsync()
    {
        _issuer = await TestIssuer.StartAsync();
        _key = _issuer.NewRsaKey();
        var connectionString = await postgres.CreateDatabaseAsync("monitoring_" + Guid.NewGuid().ToString("N")[..12]);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            web.UseSetting("ConnectionStrings:mlopsdb", connectionString);
            web.UseSetting("Auth:Authority", _issuer.Issuer);
        });
        using var client = _factory.CreateClient();
        await Eventually.ReturnsAsync(
            async () => (await client.GetAsync("/health")).IsSuccessStatusCode, ready => ready, TimeSpan.FromSeconds(60), "monitoring ready");
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    [Fact]
    public async Task A_model_without_a_policy_is_watched_with_the_documented_defaults()
    {
        using var client = Client("mlops.read");
        var policy = (await client.GetFromJsonAsync<MonitoringPolicyResponse>("/api/monitoring/carts/policy"))!;

        Assert.True(policy.IsDefault);
        Assert.Null(policy.UpdatedBy);
        Assert.Equal(
            new MonitoringPolicy("1h", "1h", null, 0.05, 0.1, 0.5, 0.05, 100, 100, false, "1d"),
            policy.Policy);
    }

    [Fact]
    public async Task An_admin_sets_a_policy_fields_left_out_take_their_defaults_and_a_later_put_replaces_it()
    {
        using var admin = Client("mlops.read mlops.admin", subject: "carol");
        using var set = await admin.PutAsJsonAsync(
            "/api/monitoring/wine/policy", new { checkInterval = "15m", last = 5000, driftShare = 0.3, autoRetrain = true, retrainCooldown = "90m", webhookUrl = "https://hooks.example.com/mlops?team=risk" });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        var read = (await Client("mlops.read").GetFromJsonAsync<MonitoringPolicyResponse>("/api/monitoring/wine/policy"))!;
        Assert.False(read.IsDefault);
        Assert.Equal("carol", read.UpdatedBy);
        Assert.NotNull(read.UpdatedAt);
        Assert.Equal(new MonitoringPolicy("15m", null, 5000, 0.05, 0.1, 0.3, 0.05, 100, 100, true, "90m", "https://hooks.example.com/mlops?team=risk"), read.Policy);

        using var replaced = await admin.PutAsJsonAsync("/api/monitoring/wine/policy", new { window = "2d", pValueThreshold = 0.01 });
        var after = (await replaced.Content.ReadFromJsonAsync<MonitoringPolicyResponse>())!;
        Assert.Equal(new MonitoringPolicy("1h", "2d", null, 0.01, 0.1, 0.5, 0.05, 100, 100, false, "1d"), after.Policy);
        Assert.Equal(after, await Client("mlops.read").GetFromJsonAsync<MonitoringPolicyResponse>("/api/monitoring/wine/policy"));
    }

    [Fact]
    public async Task Every_invalid_field_is_listed_in_one_problem()
    {
        using var admin = Client("mlops.admin");
        using var response = await admin.PutAsJsonAsync("/api/monitoring/carts/policy", new
        {
            checkInterval = "10x",
            window = "1h",
            last = 100,
            pValueThreshold = 1.5,
            distanceThreshold = 0.0,
            driftShare = 2.0,
            maxPerformanceDrop = -0.1,
            minDriftSamples = 0,
            minFeedbackSamples = 20_000_000,
            retrainCooldown = "91d",
            webhookUrl = "ftp://hooks.example.com/mlops",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(
            ["checkInterval", "distanceThreshold", "driftShare", "maxPerformanceDrop", "minDriftSamples", "minFeedbackSamples", "pValueThreshold", "retrainCooldown", "webhookUrl", "window"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("10x", errors.GetProperty("checkInterval")[0].GetString(), StringComparison.Ordinal);
        Assert.True((await Client("mlops.read").GetFromJsonAsync<MonitoringPolicyResponse>("/api/monitoring/carts/policy"))!.IsDefault);
    }

    [Theory]
    [InlineData("30s", "checkInterval")]
    [InlineData("8d", "checkInterval")]
    [InlineData("30s", "window")]
    public async Task Durations_outside_their_bounds_are_refused(string duration, string field)
    {
        using var admin = Client("mlops.admin");
        using var response = await admin.PutAsJsonAsync("/api/monitoring/carts/policy", new Dictionary<string, string> { [field] = duration });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("between", errors.GetProperty(field)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_fields_bad_names_and_missing_scopes_are_refused()
    {
        using var admin = Client("mlops.admin");
        using var typo = await admin.PutAsJsonAsync("/api/monitoring/carts/policy", new { windw = "1h" });
        Assert.Equal(HttpStatusCode.BadRequest, typo.StatusCode);
        Assert.Equal("application/problem+json", typo.Content.Headers.ContentType?.MediaType);

        using var badName = await admin.PutAsJsonAsync("/api/monitoring/Bad%20Name/policy", new { });
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Contains("model", await badName.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var reader = Client("mlops.read");
        using var forbidden = await reader.PutAsJsonAsync("/api/monitoring/carts/policy", new { });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        using var anonymous = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/monitoring/carts/policy")).StatusCode);
    }

    private HttpClient Client(string scope, string subject = "alice")
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _issuer.CreateToken(_key, scope, subject));
        return client;
    }
}
