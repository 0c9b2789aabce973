using System.Diagnostics;
using OpenTelemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace MlOps.TestSupport;

/// <summary>
/// A real Kestrel app on a loopback port with the service defaults and conventions, as a service would have them.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Client = new HttpClient(new UninstrumentedHandler()) { BaseAddress = address };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public static async Task<TestApp> StartAsync(
        Action<WebApplication> map,
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Production,
            ApplicationName = typeof(TestApp).Assembly.GetName().Name,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddServiceDefaults();
        builder.AddServiceConventions();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseServiceConventions();
        app.MapDefaultEndpoints();
        map(app);
        await app.StartAsync();
        return new TestApp(app, new Uri(app.Urls.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    /// <summary>
    /// The caller is another process in real life: the traceparent headers a test sends must reach the app as sent,
    /// not be replaced by the client span this process's HttpClient instrumentation would start and inject.
    /// </summary>
    private sealed class UninstrumentedHandler() : DelegatingHandler(
        new SocketsHttpHandler { ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator() })
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var suppressed = SuppressInstrumentationScope.Begin();
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
