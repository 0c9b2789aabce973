using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MlOps.ServiceDefaults.Http;

/// <summary>
/// Finds other services by name from the configuration names both run modes set: <c>services__{name}__http__0</c>
/// (or <c>https</c>), which is what Aspire's service discovery reads.
/// </summary>
public sealed class ServiceEndpointResolver(IConfiguration configuration)
{
    public Uri Resolve(string serviceName)
    {
        var value = configuration[$"services:{serviceName}:https:0"] ?? configuration[$"services:{serviceName}:http:0"];
        if (string.IsNullOrWhiteSpace(value) || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            throw new InvalidOperationException(
                $"No address is configured for service '{serviceName}': set services__{serviceName}__http__0 " +
                "to its base URL (the AppHost does this in both run modes).");
        }

        return uri;
    }

    public bool TryResolve(string serviceName, out Uri? uri)
    {
        var value = configuration[$"services:{serviceName}:https:0"] ?? configuration[$"services:{serviceName}:http:0"];
        return Uri.TryCreate(value, UriKind.Absolute, out uri);
    }
}

public static class ServiceDiscoveryExtensions
{
    public static void AddServiceDiscovery(this IHostApplicationBuilder builder) =>
        builder.Services.AddSingleton<ServiceEndpointResolver>();

    /// <summary>Points a typed or named HttpClient at another service of the platform.</summary>
    public static IHttpClientBuilder ForService(this IHttpClientBuilder http, string serviceName) =>
        http.ConfigureHttpClient((services, client) =>
            client.BaseAddress = services.GetRequiredService<ServiceEndpointResolver>().Resolve(serviceName));
}
