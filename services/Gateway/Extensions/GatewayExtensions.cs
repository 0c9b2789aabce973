using MlOps.Gateway.Health;
using MlOps.Gateway.RateLimiting;
using MlOps.Gateway.Routing;
using Microsoft.Extensions.Options;
using MlOps.ServiceDefaults.OpenApi;
using Scalar.AspNetCore;
using Yarp.ReverseProxy.Configuration;

namespace Microsoft.Extensions.Hosting;

internal static class GatewayExtensions
{
    public const string ApiReferencePath = "/scalar";

    /// <summary>The reverse proxy to the five services, edge rate limits, CORS and downstream health.</summary>
    public static void AddGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .Validate(o => o.MaxUploadBytes > 0, "Gateway:MaxUploadBytes must be positive.");
        builder.Services.AddSingleton<IProxyConfigProvider>(provider => new InMemoryConfigProvider(
            PlatformRoutes.Routes(provider.GetRequiredService<IOptions<GatewayOptions>>().Value),
            PlatformRoutes.Clusters()));
        builder.Services.AddReverseProxy().AddServiceDiscoveryDestinationResolver();
        builder.AddEdgeRateLimiting();
        builder.AddGatewayCors();
        builder.AddDownstreamHealthChecks();
    }

    public static void MapGateway(this WebApplication app)
    {
        app.UseCors();
        app.UseRateLimiter();
        app.MapReverseProxy();
        // Every service's document in one browsable reference; the documents themselves are proxied routes.
        app.MapScalarApiReference(ApiReferencePath, options => options
                .WithTitle("MlOps platform API")
                .WithOpenApiRoutePattern(OpenApiDefaults.RoutePattern)
                .AddDocuments(PlatformRoutes.Services))
            .AllowAnonymous();
    }
}
