using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlOps.ServiceDefaults.Health;

public static class HealthExtensions
{
    /// <summary>Checks tagged with this run for <c>/alive</c>; every check runs for <c>/health</c>.</summary>
    public const string LiveTag = "live";

    /// <summary>Every check at <paramref name="healthPath"/>; only the live ones at <paramref name="alivePath"/>.</summary>
    public static void MapHealthEndpoints(this WebApplication app, string healthPath, string alivePath)
    {
        app.MapHealthChecks(healthPath, new HealthCheckOptions { ResponseWriter = WriteReportAsync })
            .AllowAnonymous();
        app.MapHealthChecks(alivePath, new HealthCheckOptions
            {
                Predicate = check => check.Tags.Contains(LiveTag),
                ResponseWriter = WriteReportAsync,
            })
            .AllowAnonymous();
    }

    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        var body = new HealthResponse(
            report.Status.ToString(),
            report.TotalDuration.TotalMilliseconds,
            report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new HealthCheckResponse(
                    entry.Value.Status.ToString(),
                    entry.Value.Description ?? entry.Value.Exception?.Message,
                    entry.Value.Duration.TotalMilliseconds)));
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(
            context.Response.Body, body, HealthJsonContext.Default.HealthResponse, context.RequestAborted);
    }
}
