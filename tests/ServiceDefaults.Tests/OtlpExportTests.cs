using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MlOps.TestSupport;

namespace MlOps.ServiceDefaults.Tests;

/// <summary>
/// A loopback OTLP/HTTP receiver, as the Aspire dashboard or a collector would run: it keeps every protobuf body posted
/// to <c>/v1/traces</c>, <c>/v1/metrics</c> and <c>/v1/logs</c>.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<(string Signal, byte[] Body)> Received { get; } = new();

    public string Endpoint => _app.Urls.Single();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver.Received.Enqueue((signal, body.ToArray()));
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        return receiver;
    }

    public bool HasTrace(string traceIdHex)
    {
        var traceId = Convert.FromHexString(traceIdHex);
        return Received.Any(item => item.Signal == "traces" && item.Body.AsSpan().IndexOf(traceId) >= 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed class OtlpExportTests
{
    [Fact]
    public async Task Traces_metrics_and_logs_are_exported_over_OTLP_when_an_endpoint_is_set_but_probes_are_not_traced()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var app = await TestApp.StartAsync(
            web => web.MapGet("/hello", (ILoggerFactory loggers) =>
            {
                loggers.CreateLogger("Hello").LogInformation("said hello");
                return "hi";
            }).AllowAnonymous(),
            new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
                ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
            });
        const string probeTrace = "11111111111111111111111111111111";
        const string realTrace = "22222222222222222222222222222222";

        await SendAsync(app, "/health", probeTrace);
        await SendAsync(app, "/metrics", probeTrace);
        await SendAsync(app, "/hello", realTrace);

        await Eventually.ReturnsAsync(
            () => Task.FromResult(receiver.HasTrace(realTrace)), found => found, TimeSpan.FromSeconds(30), "the request's span being exported");
        await Eventually.ReturnsAsync(
            () => Task.FromResult(receiver.Received.Any(r => r.Signal == "metrics") && receiver.Received.Any(r => r.Signal == "logs")),
            found => found,
            TimeSpan.FromSeconds(30),
            "metrics and logs being exported");
        Assert.False(receiver.HasTrace(probeTrace), "health and metrics requests must not be traced");
    }

    private static async Task SendAsync(TestApp app, string path, string traceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{traceId}-3333333333333333-01");
        using var response = await app.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }
}
