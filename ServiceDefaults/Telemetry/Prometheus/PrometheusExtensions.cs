using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace MlOps.ServiceDefaults.Telemetry.Prometheus;

public static class PrometheusExtensions
{
    /// <summary>The content type of the text exposition format that Prometheus scrapes.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly TimeSpan CollectTimeout = TimeSpan.FromSeconds(10);

    public static MeterProviderBuilder AddPrometheusScrapeReader(this MeterProviderBuilder metrics)
    {
        metrics.ConfigureServices(services => services.AddSingleton<PrometheusScrapeReader>());
        return metrics.AddReader<PrometheusScrapeReader>();
    }

    public static IEndpointConventionBuilder MapPrometheusScrapingEndpoint(this IEndpointRouteBuilder endpoints, string pattern = "/metrics") =>
        endpoints.MapGet(pattern, async (PrometheusScrapeReader reader, HttpContext context) =>
        {
            var body = await reader.ScrapeAsync(CollectTimeout, context.RequestAborted);
            if (body is null)
            {
                return Results.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Metrics collection failed",
                    detail: "The metric pipeline did not complete a collection in time; retry the scrape.");
            }

            context.Response.Headers.CacheControl = "no-store";
            return Results.Bytes(body, ContentType);
        })
        .WithName("PrometheusMetrics")
        .WithSummary("Prometheus text exposition of this service's metrics")
        .ExcludeFromDescription();
}
