using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MlOps.Gateway.Routing;

namespace MlOps.Gateway.Tests;

/// <summary>What a backend saw of a forwarded request.</summary>
public sealed record EchoedRequest(
    string Service, string Method, string Path, string? Authorization, string? TraceParent, string? RequestId, long BodyBytes);

/// <summary>
/// One real Kestrel server per platform service on a loopback port, each answering every path with what it received,
/// so a test sees exactly which service a gateway route reached and which headers arrived.
/// </summary>
public sealed class Backends : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, WebApplication> _servers = new();
    private readonly ConcurrentDictionary<string, int> _ports = new();

    public IReadOnlyDictionary<string, string> Addresses =>
        _servers.ToDictionary(pair => pair.Key, pair => pair.Value.Urls.Single());

    public async Task InitializeAsync()
    {
        foreach (var service in PlatformRoutes.Services)
        {
            await StartAsync(service, port: 0);
        }
    }

    /// <summary>Starts a stopped backend again on the address it had.</summary>
    public async Task RestartAsync(string service) => await StartAsync(service, _ports[service]);

    private async Task StartAsync(string service, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        var app = builder.Build();
        app.MapGet("/health", () => Results.Ok());
        app.Run(async context =>
        {
            var counter = new CountingStream();
            await context.Request.Body.CopyToAsync(counter);
            await context.Response.WriteAsJsonAsync(new EchoedRequest(
                service,
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null,
                context.Request.Headers["traceparent"].ToString() is { Length: > 0 } trace ? trace : null,
                context.Request.Headers["X-Request-Id"].ToString() is { Length: > 0 } id ? id : null,
                counter.Length));
        });
        await app.StartAsync();
        _servers[service] = app;
        _ports[service] = new Uri(app.Urls.Single()).Port;
    }

    public async Task StopAsync(string service)
    {
        if (_servers.TryRemove(service, out var app))
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var service in _servers.Keys.ToList())
        {
            await StopAsync(service);
        }
    }
}

/// <summary>Counts what is written to it and keeps nothing.</summary>
internal sealed class CountingStream : Stream
{
    private long _length;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => _length += count;

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _length += buffer.Length;
        return ValueTask.CompletedTask;
    }
}
