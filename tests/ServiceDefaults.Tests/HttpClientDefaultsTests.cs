using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MlOps.ServiceDefaults.Http;
using MlOps.TestSupport;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace MlOps.ServiceDefaults.Tests;

public sealed class HttpClientDefaultsTests : IAsyncLifetime
{
    private int _attempts;
    private TestApp _backend = null!;
    private TestApp _caller = null!;

    public async Task InitializeAsync()
    {
        // The backend fails twice, then answers: what a service restarting behind a caller looks like.
        _backend = await TestApp.StartAsync(web =>
        {
            web.MapMethods("/flaky", ["GET", "POST"], () =>
                Interlocked.Increment(ref _attempts) <= 2 ? Results.StatusCode(503) : Results.Text("ok")).AllowAnonymous();
            web.MapMethods("/broken", ["GET", "POST"], () =>
            {
                Interlocked.Increment(ref _attempts);
                return Results.StatusCode(503);
            }).AllowAnonymous();
            web.MapGet("/slow", async (CancellationToken ct) =>
            {
                Interlocked.Increment(ref _attempts);
                await Task.Delay(TimeSpan.FromMilliseconds(1500), ct);
                return Results.Text("late");
            }).AllowAnonymous();
        });
        _caller = await TestApp.StartAsync(
            _ => { },
            new Dictionary<string, string?>
            {
                ["services:backend:http:0"] = _backend.Address.ToString(),
                ["Http:Resilience:Retry:Delay"] = "00:00:00.010",
                ["Http:Resilience:Retry:MaxRetryAttempts"] = "4",
                ["Http:Resilience:AttemptTimeout:Timeout"] = "00:00:01",
            },
            builder =>
            {
                builder.Services.AddHttpClient("backend").ConfigureHttpClient(client => client.BaseAddress = new Uri("http://backend"));
                builder.Services.AddHttpClient("long").ConfigureHttpClient(client => client.BaseAddress = new Uri("http://backend"))
                    .WithLongCalls(TimeSpan.FromSeconds(10));
                builder.Services.AddHttpClient("probe").ConfigureHttpClient(client => client.BaseAddress = new Uri("http://backend"))
                    .WithoutResilience(TimeSpan.FromSeconds(10));
            });
    }

    public async Task DisposeAsync()
    {
        await _caller.DisposeAsync();
        await _backend.DisposeAsync();
    }

    private HttpClient Client => _caller.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("backend");

    [Fact]
    public async Task An_idempotent_call_is_retried_through_transient_failures()
    {
        using var response = await Client.GetAsync(new Uri("/flaky", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, _attempts);
    }

    [Fact]
    public async Task Retries_show_in_metrics_that_still_pass_promtool()
    {
        using (await Client.GetAsync(new Uri("/flaky", UriKind.Relative)))
        {
        }

        var exposition = await _caller.Client.GetStringAsync("/metrics");

        Assert.Matches("resilience_polly_strategy_events_total\\{[^}]*event_name=\"OnRetry\"[^}]*\\} 2\\b", exposition);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(exposition);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task A_post_is_never_retried()
    {
        using var response = await Client.PostAsync(new Uri("/flaky", UriKind.Relative), new StringContent("x"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, _attempts);
    }

    [Fact]
    public async Task Retries_stop_at_the_configured_limit()
    {
        using var response = await Client.GetAsync(new Uri("/broken", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(5, _attempts);
    }

    [Fact]
    public async Task A_destination_that_keeps_failing_opens_the_circuit_and_later_calls_fail_fast()
    {
        await using var caller = await TestApp.StartAsync(
            _ => { },
            new Dictionary<string, string?>
            {
                ["services:backend:http:0"] = _backend.Address.ToString(),
                ["Http:Resilience:CircuitBreaker:MinimumThroughput"] = "2",
                ["Http:Resilience:CircuitBreaker:BreakDuration"] = "00:01:00",
            },
            builder => builder.Services.AddHttpClient("backend").ConfigureHttpClient(client => client.BaseAddress = new Uri("http://backend")));
        var client = caller.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("backend");

        // POSTs, which are never retried: each call is one attempt the breaker counts.
        for (var i = 0; i < 2; i++)
        {
            using var failed = await client.PostAsync(new Uri("/broken", UriKind.Relative), new StringContent("x"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.PostAsync(new Uri("/broken", UriKind.Relative), new StringContent("x")));
        Assert.Equal(2, _attempts);
    }

    [Fact]
    public async Task An_attempt_longer_than_the_attempt_timeout_is_abandoned_unless_the_client_makes_long_calls()
    {
        var clients = _caller.App.Services.GetRequiredService<IHttpClientFactory>();

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => clients.CreateClient("backend").GetAsync(new Uri("/slow", UriKind.Relative)));
        var abandoned = _attempts;
        using var answered = await clients.CreateClient("long").GetAsync(new Uri("/slow", UriKind.Relative));

        Assert.Equal(5, abandoned);
        Assert.Equal("late", await answered.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_long_call_client_keeps_the_configured_retries()
    {
        using var response = await _caller.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("long")
            .GetAsync(new Uri("/broken", UriKind.Relative));

        // Http:Resilience:Retry:MaxRetryAttempts = 4 (the handler's default is 3): the first attempt and four retries.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(5, _attempts);
    }

    [Fact]
    public async Task A_probe_client_calls_once_and_reports_what_it_got()
    {
        using var response = await _caller.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("probe")
            .GetAsync(new Uri("/flaky", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, _attempts);
    }

    [Fact]
    public async Task Services_are_addressed_by_name_and_a_name_with_no_address_fails_naming_it()
    {
        var clients = _caller.App.Services.GetRequiredService<IHttpClientFactory>();
        using var named = clients.CreateClient("any");

        using var found = await named.GetAsync(new Uri("http://backend/alive"));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => named.GetAsync(new Uri("http://nowhere/alive")));

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Contains("nowhere", error.ToString(), StringComparison.Ordinal);
    }
}
