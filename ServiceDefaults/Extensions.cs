using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MlOps.ServiceDefaults.Auth;
using MlOps.ServiceDefaults.Errors;
using MlOps.ServiceDefaults.Health;
using MlOps.ServiceDefaults.Http;
using MlOps.ServiceDefaults.RequestIds;
using MlOps.ServiceDefaults.Telemetry;
using MlOps.ServiceDefaults.Telemetry.Prometheus;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The wiring every MlOps service shares: telemetry, health, metrics, errors, request ids, token validation,
/// service discovery and resilient HttpClients. A service calls <see cref="AddServiceDefaults{TBuilder}"/> and
/// <see cref="MapDefaultEndpoints"/> and nothing of this again.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.ConfigureLogging();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddDefaultProblemDetails();
        builder.AddTokenValidation();
        // Other services are addressed by name (http://trainer); the AppHost hands every service their addresses as
        // services__<name>__http__0, which service discovery reads.
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilience();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>
    /// Puts the shared middleware in order (errors, request ids, routing, authentication, authorization) and maps
    /// <c>/health</c>, <c>/alive</c> and <c>/metrics</c>, which need no token.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestIds();
        app.UseRouting();
        app.UseProbeTraceFilter();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthEndpoints();
        app.MapPrometheusScrapingEndpoint().AllowAnonymous().ExcludeFromTraces();
        return app;
    }
}
