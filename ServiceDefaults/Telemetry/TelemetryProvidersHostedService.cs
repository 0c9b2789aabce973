using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MlOps.ServiceDefaults.Telemetry;

/// <summary>
/// Resolves the tracer and meter providers at start-up so they listen from the first request on; the container owns
/// them as singletons and disposes them, which flushes the exporters, when the host stops.
/// </summary>
internal sealed class TelemetryProvidersHostedService(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetService<TracerProvider>();
        services.GetService<MeterProvider>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
