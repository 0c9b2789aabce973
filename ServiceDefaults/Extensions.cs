using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using MlOps.ServiceDefaults.Health;
using MlOps.ServiceDefaults.Http;
using MlOps.ServiceDefaults.OpenApi;
using MlOps.ServiceDefaults.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The wiring every MlOps service shares, in the shape of the Aspire service-defaults template: telemetry, health
/// checks, service discovery and resilient HttpClients, the OpenAPI document. What is ours rather than Aspire's
/// (errors, request ids, tokens and scopes) is in <c>libs/MlOps.ServiceConventions</c>.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddHttpClientDefaults();
        builder.AddDefaultOpenApi();
        return builder;
    }

    /// <summary>
    /// Traces, metrics and logs through OpenTelemetry; the database's own spans and metrics come with
    /// <c>AddServiceDatabase</c> (Aspire's Npgsql component), only in services that have one.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, autoGenerateServiceInstanceId: false))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetryNames.Meters)
                // A scrape answers what was measured up to that moment: no cached exposition.
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(aspNetCore =>
                    // Probes and scrapes arrive every few seconds; their spans would drown real requests.
                    aspNetCore.Filter = context => !ProbePaths.IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation(http =>
                    http.FilterHttpRequestMessage = request =>
                        request.RequestUri is null || !ProbePaths.IsProbe(new PathString(request.RequestUri.AbsolutePath)))
                .AddSource(TelemetryNames.Sources));

        builder.Services.ConfigureOpenTelemetryMeterProvider((services, metrics) =>
            metrics.AddView(new AppMeterView(services.GetRequiredService<IMeterFactory>()).Select));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy("the process answers"), [HealthExtensions.LiveTag]);
        return builder;
    }

    /// <summary>Maps <c>/health</c>, <c>/alive</c>, <c>/metrics</c> and the OpenAPI document, which need no token.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints(ProbePaths.Health, ProbePaths.Alive);
        app.MapPrometheusScrapingEndpoint(ProbePaths.Metrics).AllowAnonymous();
        app.MapDefaultOpenApi();
        return app;
    }
}
