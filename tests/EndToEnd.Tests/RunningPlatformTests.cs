using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.TestSupport;

namespace MlOps.EndToEnd.Tests;

/// <summary>One platform, started once for the class, the way <c>dotnet run --project AppHost</c> starts it.</summary>
public sealed class RunningPlatform : IAsyncLifetime
{
    private readonly TemporaryDirectory _home = TemporaryDirectory.Create("mlops-e2e-");

    public LocalPlatform Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Platform = new LocalPlatform(_home.Path);
        await Platform.StartAsync(TimeSpan.FromMinutes(3));
    }

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        _home.Dispose();
    }
}

public sealed class RunningPlatformTests(RunningPlatform running) : IClassFixture<RunningPlatform>
{
    private LocalPlatform Platform => running.Platform;

    public static TheoryData<string, string> RouteFamilies() => new()
    {
        { "/connect/token", "auth" },
        { "/.well-known/openid-configuration", "auth" },
        { "/api/auth/users", "auth" },
        { "/api/datasets", "data" },
        { "/api/training/jobs", "trainer" },
        { "/api/runs/1", "trainer" },
        { "/api/experiments", "trainer" },
        { "/api/models", "trainer" },
        { "/api/predict/churn", "serving" },
        { "/api/serving/models", "serving" },
        { "/api/feedback", "monitoring" },
        { "/api/monitoring/churn/drift", "monitoring" },
    };

    [Fact]
    public async Task The_gateway_reports_every_service_healthy()
    {
        using var client = new HttpClient { BaseAddress = Platform.UrlOf("gateway") };

        using var response = await client.GetAsync("/health");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var service in new[] { "auth", "data", "trainer", "serving", "monitoring" })
        {
            Assert.Equal("Healthy", body.GetProperty("checks").GetProperty(service).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task The_auth_service_metrics_pass_promtool()
    {
        using var client = new HttpClient { BaseAddress = Platform.UrlOf("auth") };

        var exposition = await client.GetStringAsync("/metrics");
        var (exitCode, output) = await Promtool.CheckMetricsAsync(exposition);

        Assert.True(exitCode == 0, output);
    }

    [Theory]
    [MemberData(nameof(RouteFamilies))]
    public async Task Each_route_family_reaches_its_service_under_one_trace(string path, string service)
    {
        using var client = new HttpClient { BaseAddress = Platform.UrlOf("gateway") };
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{traceId}-1111111111111111-01");

        using var response = await client.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        // No feature endpoint exists yet and no token was sent: the service itself answers 401 with the trace id.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(traceId, problem.GetProperty("traceId").GetString());
        await AssertLoggedAsync(service, traceId);
        await AssertLoggedAsync("gateway", traceId);
        foreach (var other in LocalPlatform.Services.Where(s => s != service && s != "gateway"))
        {
            Assert.DoesNotContain(traceId, Platform.LogOf(other), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_request_without_trace_context_gets_one_trace_id_shared_by_gateway_and_service()
    {
        using var client = new HttpClient { BaseAddress = Platform.UrlOf("gateway") };

        using var response = await client.GetAsync("/api/models");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var traceId = problem.GetProperty("traceId").GetString()!;
        var requestId = Assert.Single(response.Headers.GetValues("X-Request-Id"));

        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.Equal(requestId, problem.GetProperty("requestId").GetString());
        await AssertLoggedAsync("gateway", traceId);
        await AssertLoggedAsync("trainer", traceId);
        await AssertLoggedAsync("trainer", requestId);
    }

    private async Task AssertLoggedAsync(string service, string text) =>
        await Eventually.ReturnsAsync(
            () => Task.FromResult(Platform.LogOf(service).Contains(text, StringComparison.Ordinal)),
            found => found,
            TimeSpan.FromSeconds(10),
            $"'{text}' appearing in the {service} log");
}
