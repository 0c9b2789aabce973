using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MlOps.Contracts.Monitoring;

namespace MlOps.MonitoringService.Tests.Checks;

/// <summary>A real HTTP server on a loopback port that keeps every notice posted to it, as a policy's webhook.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ModelStateNotice> _notices = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public IReadOnlyCollection<ModelStateNotice> Notices => _notices;

    public string Url => _app.Urls.Single() + "/hooks/monitoring";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/monitoring", async (HttpRequest request) =>
        {
            receiver._notices.Enqueue((await request.ReadFromJsonAsync<ModelStateNotice>())!);
            return Results.NoContent();
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
