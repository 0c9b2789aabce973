using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MlOps.ServiceDefaults.Telemetry.Prometheus;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MlOps.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry traces, metrics and logs for every service. The hosting package that normally owns the providers'
/// lifetime is not obtainable here, so <see cref="TelemetryProvidersHostedService"/> builds them at start-up and the
/// container disposes them (flushing exporters) at shutdown.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>Meters every service exports: ASP.NET Core, Kestrel, HttpClient, the runtime, and our own.</summary>
    public static readonly string[] BuiltInMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        "System.Net.Http",
        "System.Net.NameResolution",
        "System.Runtime",
        "Microsoft.EntityFrameworkCore",
        "Npgsql",
        "MlOps.*",
    ];

    /// <summary>Activity sources every service traces.</summary>
    public static readonly string[] BuiltInSources =
    [
        "Microsoft.AspNetCore",
        "System.Net.Http",
        "Npgsql",
        "Yarp.ReverseProxy",
        "MlOps.*",
    ];

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var otlpEndpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var exportOtlp = !string.IsNullOrWhiteSpace(otlpEndpoint);
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            logging.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName));
            if (exportOtlp)
            {
                logging.AddOtlpExporter();
            }
        });

        var telemetry = new TelemetryBuilder(builder.Services);
        telemetry.ConfigureResource(resource => resource.AddService(serviceName));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(BuiltInMeters);
            metrics.AddPrometheusScrapeReader();
            if (exportOtlp)
            {
                metrics.AddOtlpExporter();
            }
        });
        telemetry.WithTracing(tracing =>
        {
            tracing.AddSource(BuiltInSources);
            if (exportOtlp)
            {
                tracing.AddOtlpExporter();
            }
        });

        builder.Services.AddHostedService<TelemetryProvidersHostedService>();
        return builder;
    }

    private sealed class TelemetryBuilder(IServiceCollection services) : IOpenTelemetryBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
