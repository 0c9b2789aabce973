using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlOps.TestSupport;

namespace MlOps.ServiceConventions.Tests;

public sealed class RequestIdAndErrorTests
{
    [Fact]
    public async Task A_request_without_an_id_gets_a_new_one_echoed_on_the_response()
    {
        await using var app = await TestApp.StartAsync(web => web.MapGet("/ping", () => "pong").AllowAnonymous());

        using var response = await app.Client.GetAsync("/ping");

        var id = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        Assert.Matches("^[0-9a-f]{32}$", id);
    }

    [Fact]
    public async Task A_caller_request_id_is_kept_and_a_malformed_one_is_replaced()
    {
        await using var app = await TestApp.StartAsync(web => web.MapGet("/ping", () => "pong").AllowAnonymous());

        using var kept = new HttpRequestMessage(HttpMethod.Get, "/ping") { Headers = { { "X-Request-Id", "client-42.a:b" } } };
        using var keptResponse = await app.Client.SendAsync(kept);
        using var replaced = new HttpRequestMessage(HttpMethod.Get, "/ping");
        replaced.Headers.TryAddWithoutValidation("X-Request-Id", "evil id\twith <html>");
        using var replacedResponse = await app.Client.SendAsync(replaced);

        Assert.Equal("client-42.a:b", Assert.Single(keptResponse.Headers.GetValues("X-Request-Id")));
        Assert.Matches("^[0-9a-f]{32}$", Assert.Single(replacedResponse.Headers.GetValues("X-Request-Id")));
    }

    [Fact]
    public async Task Every_log_line_of_a_request_carries_its_request_id_and_trace_id()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = await TestApp.StartAsync(
            web => web.MapGet("/work", (ILoggerFactory loggers) =>
            {
                loggers.CreateLogger("Work").LogInformation("doing the work");
                return "done";
            }).AllowAnonymous(),
            configure: builder => builder.Logging.AddProvider(logs));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/work") { Headers = { { "X-Request-Id", "req-123" } } };
        request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        using var response = await app.Client.SendAsync(request);

        var work = Assert.Single(logs.Entries, e => e.Message == "doing the work");
        var access = Assert.Single(logs.Entries, e => e.Category == "MlOps.Requests");
        foreach (var entry in new[] { work, access })
        {
            Assert.Equal("req-123", entry.ScopeValues["RequestId"]);
            Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", entry.ScopeValues["TraceId"]);
        }

        Assert.StartsWith("HTTP GET /work answered 200 in ", access.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_error_is_logged_as_a_warning_and_a_success_as_information()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = await TestApp.StartAsync(
            web =>
            {
                web.MapGet("/fine", () => "fine").AllowAnonymous();
                web.MapGet("/busy", () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable)).AllowAnonymous();
                web.MapGet("/boom", string () => throw new InvalidOperationException("a fault")).AllowAnonymous();
            },
            configure: builder => builder.Logging.AddProvider(logs));

        using (await app.Client.GetAsync("/fine"))
        using (await app.Client.GetAsync("/busy"))
        using (await app.Client.GetAsync("/boom"))
        {
        }

        var access = logs.Entries.Where(e => e.Category == "MlOps.Requests").ToList();
        Assert.Equal(LogLevel.Information, Assert.Single(access, e => e.Message.StartsWith("HTTP GET /fine answered 200", StringComparison.Ordinal)).Level);
        Assert.Equal(LogLevel.Warning, Assert.Single(access, e => e.Message.StartsWith("HTTP GET /busy answered 503", StringComparison.Ordinal)).Level);
        // The status the client got, not the 200 the response held while the exception passed.
        Assert.Equal(LogLevel.Warning, Assert.Single(access, e => e.Message.StartsWith("HTTP GET /boom answered 500", StringComparison.Ordinal)).Level);
    }

    [Fact]
    public async Task An_unhandled_exception_is_a_500_problem_that_reveals_nothing_of_the_code()
    {
        await using var app = await TestApp.StartAsync(web => web.MapGet("/boom", string () =>
            throw new InvalidOperationException("secret connection string Password=hunter2")).AllowAnonymous());

        using var response = await app.Client.GetAsync("/boom");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        var problem = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
        Assert.Equal(Assert.Single(response.Headers.GetValues("X-Request-Id")), problem.GetProperty("requestId").GetString());
        Assert.Matches("^[0-9a-f]{32}$", problem.GetProperty("traceId").GetString()!);
    }

    [Fact]
    public async Task A_bare_status_code_becomes_a_problem_body()
    {
        await using var app = await TestApp.StartAsync(web => web.MapGet("/missing", () => Results.NotFound()).AllowAnonymous());

        using var response = await app.Client.GetAsync("/missing");
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(404, problem!.Status);
        Assert.Equal("/missing", problem.Instance);
    }

    [Fact]
    public async Task A_body_over_the_endpoint_limit_is_a_413_problem()
    {
        await using var app = await TestApp.StartAsync(web => web.MapPost("/upload", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                return (await reader.ReadToEndAsync()).Length;
            })
            .AllowAnonymous()
            .WithMetadata(new RequestSizeLimitAttribute(16)));

        using var response = await app.Client.PostAsync("/upload", new StringContent(new string('x', 1024)));
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(413, problem!.Status);
    }

    [Fact]
    public async Task Health_lists_each_check_and_alive_only_the_liveness_ones()
    {
        await using var app = await TestApp.StartAsync(
            _ => { },
            configure: builder => builder.Services.AddHealthChecks()
                .AddCheck("dependency", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("down for the test")));

        using var health = await app.Client.GetAsync("/health");
        using var alive = await app.Client.GetAsync("/alive");
        var healthBody = await health.Content.ReadFromJsonAsync<JsonElement>();
        var aliveBody = await alive.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", healthBody.GetProperty("checks").GetProperty("dependency").GetProperty("status").GetString());
        Assert.Equal("down for the test", healthBody.GetProperty("checks").GetProperty("dependency").GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.False(aliveBody.GetProperty("checks").TryGetProperty("dependency", out _));
    }
}
