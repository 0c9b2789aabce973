using System.Globalization;
using MlOps.AppHost.Hosting;

namespace MlOps.AppHost.Services;

internal static class PlatformServiceExtensions
{
    /// <summary>
    /// One of the platform's processes as a project resource: its <c>http</c> endpoint on the platform table's fixed
    /// port (no proxy in front, so Prometheus, clients and the dashboard all see the service itself), its readiness
    /// from <c>GET /health</c>, and the runtime settings the platform's processes share.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddPlatformService<TProject>(
        this IDistributedApplicationBuilder builder, string name, PlatformOptions platform)
        where TProject : IProjectMetadata, new()
    {
        var port = platform.PortOf(name);
        return builder.AddProject<TProject>(name)
            .WithEndpoint("http", endpoint =>
            {
                endpoint.Port = port;
                endpoint.TargetPort = port;
                endpoint.IsProxied = false;
            })
            .WithHttpHealthCheck("/health")
            // Six .NET processes share a small machine's cores: a thread-pool worker that spins while it waits for
            // work takes the core another process needs (measured: the gateway's p99 at 1,000 predictions a second
            // fell from 20 ms to 5 ms without spinning), and server GC sizes each heap for a machine of its own
            // (10% more predictions a second through the gateway with workstation GC).
            .WithEnvironment("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "0")
            .WithEnvironment("DOTNET_gcServer", "0")
            // The OpenTelemetry SDK's own sampler settings, in place of Aspire's always_on: a trace is kept whole or
            // dropped whole. Exporting every request's spans to a dashboard on the same cores halves what the gateway
            // serves (bench/results/serving.md), so a deployment under load samples a share.
            .WithEnvironment("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
            .WithEnvironment("OTEL_TRACES_SAMPLER_ARG", platform.TraceSampleRatio.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The database, the platform client's credentials and the shared artifact store, for a service behind the gateway.</summary>
    public static IResourceBuilder<ProjectResource> WithPlatformWiring(
        this IResourceBuilder<ProjectResource> service,
        Postgres.PlatformDatabase database,
        IResourceBuilder<ParameterResource> servicesClientSecret,
        PlatformOptions platform)
    {
        service.WithReference(database.ConnectionString).WaitFor(database.Server)
            .WithEnvironment("Auth__Client__ClientId", Platform.ServicesClientId)
            .WithEnvironment("Auth__Client__ClientSecret", servicesClientSecret);
        if (!service.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            // Run from this machine, the services share one artifact folder in the data folder; a deployment
            // configures its own store (Artifacts__*: a volume or S3).
            service.WithEnvironment("Artifacts__Store", "FileSystem").WithEnvironment("Artifacts__Root", platform.Artifacts);
        }

        return service;
    }
}
