using MlOps.Gateway.Health;
using MlOps.Gateway.RateLimiting;
using MlOps.Gateway.Routing;
using MlOps.ServiceDefaults.Http;
using Yarp.ReverseProxy.Configuration;

namespace Microsoft.Extensions.Hosting;

internal static class GatewayExtensions
{
    /// <summary>The reverse proxy to the five services, edge rate limits, CORS and downstream health.</summary>
    public static void AddGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IProxyConfigProvider>(provider => new InMemoryConfigProvider(
            PlatformRoutes.Routes(),
            PlatformRoutes.Clusters(provider.GetRequiredService<ServiceEndpointResolver>())));
        builder.Services.AddReverseProxy();
        builder.AddEdgeRateLimiting();
        builder.AddGatewayCors();
        builder.AddDownstreamHealthChecks();
    }

    public static void MapGateway(this WebApplication app)
    {
        app.UseCors();
        app.UseRateLimiter();
        app.MapReverseProxy();
    }
}
