using MlOps.ServiceDefaults.OpenApi;
using Yarp.ReverseProxy.Configuration;

namespace MlOps.Gateway.Routing;

/// <summary>
/// Which service owns which public path prefix: the public API table of ARCHITECTURE.md. Routes that take uploads lift
/// Kestrel's 30 MB request limit to the gateway's upload limit; the service behind enforces its own.
/// </summary>
public sealed record ServiceRoute(string Service, string PathPrefix, bool TakesUploads = false);

/// <summary>Gateway settings (section <c>Gateway</c>).</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>The largest body an upload route forwards (datasets, model files); the services behind enforce their own limits.</summary>
    public long MaxUploadBytes { get; set; } = 2L * 1024 * 1024 * 1024;
}

public static class PlatformRoutes
{
    public static readonly IReadOnlyList<ServiceRoute> All =
    [
        new("auth", "/connect"),
        new("auth", "/.well-known"),
        new("auth", "/api/auth"),
        new("data", "/api/datasets", TakesUploads: true),
        new("trainer", "/api/training"),
        new("trainer", "/api/runs"),
        new("trainer", "/api/experiments"),
        new("trainer", "/api/models", TakesUploads: true),
        new("serving", "/api/predict"),
        new("serving", "/api/serving"),
        new("monitoring", "/api/feedback"),
        new("monitoring", "/api/monitoring"),
    ];

    public static IReadOnlyList<string> Services { get; } = All.Select(route => route.Service).Distinct().ToArray();

    /// <summary>
    /// Routes for YARP. Authorization is each service's job (it knows which scope an endpoint needs), so the gateway
    /// forwards anonymously; it still reads a valid token to rate-limit per caller.
    /// </summary>
    public static IReadOnlyList<RouteConfig> Routes(GatewayOptions options) =>
        All.Select(route => new RouteConfig
        {
            MaxRequestBodySize = route.TakesUploads ? options.MaxUploadBytes : null,
            RouteId = $"{route.Service}{route.PathPrefix.Replace('/', '-')}",
            ClusterId = route.Service,
            AuthorizationPolicy = "anonymous",
            CorsPolicy = GatewayCors.PolicyName,
            Match = new RouteMatch { Path = route.PathPrefix + "/{**rest}" },
        })
        .Concat(Services.Select(OpenApiDocumentRoute))
        .ToArray();

    private static RouteConfig OpenApiDocumentRoute(string service) => new()
    {
        RouteId = $"{service}-openapi",
        ClusterId = service,
        AuthorizationPolicy = "anonymous",
        CorsPolicy = GatewayCors.PolicyName,
        // The service's own document, published at the gateway under the service's name: /openapi/trainer.json.
        Match = new RouteMatch { Path = OpenApiDefaults.DocumentPath(service), Methods = ["GET"] },
        Transforms = [new Dictionary<string, string> { ["PathSet"] = OpenApiDefaults.DocumentPath(OpenApiDefaults.DocumentName) }],
    };

    /// <summary>One cluster per service, its destination the service's name, resolved by service discovery.</summary>
    public static IReadOnlyList<ClusterConfig> Clusters() =>
        Services.Select(service => new ClusterConfig
        {
            ClusterId = service,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                [service] = new() { Address = $"http://{service}" },
            },
        }).ToArray();
}
