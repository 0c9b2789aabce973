using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MlOps.Contracts.Monitoring;
using MlOps.MonitoringService.Checks;
using MlOps.MonitoringService.Persistence;
using MlOps.MonitoringService.Policies;
using MlOps.MonitoringService.Upstream;
using MlOps.ServiceDefaults.Auth;
using Npgsql;

namespace MlOps.MonitoringService.Performance;

/// <summary>
/// <c>GET /api/monitoring/{model}/performance</c> (scope mlops.read): with <c>?window=</c> or <c>?last=</c>, a fresh
/// check of the version behind <c>?alias=</c> (default <c>production</c>) over that window of its labelled
/// predictions, stored and answered; without either, the newest stored report.
/// </summary>
public static class PerformanceEndpoints
{
    public static void MapPerformanceChecks(this WebApplication app)
    {
        var monitoring = app.MapGroup("/api/monitoring").WithTags("Monitoring").RequireAuthorization(Scopes.Read);
        monitoring.MapGet("/{model}/performance", PerformanceAsync).WithName("CheckPerformance")
            .WithSummary("Live quality from feedback against the validation metrics, for ?window= or ?last=, or the newest stored report");
        monitoring.MapGet(
                "/{model}/performance/reports",
                (string model, int? limit, string? cursor, NpgsqlDataSource database, CancellationToken ct) =>
                    ReportHistory.ListAsync<PerformanceReport>(database, ReportHistory.PerformanceTable, model, limit, cursor, JsonSerializerOptions.Web, ct))
            .WithName("ListPerformanceReports")
            .WithSummary("The model's stored performance reports, newest first, paged");
    }

    private static async Task<Results<Ok<PerformanceReport>, ValidationProblem, ProblemHttpResult>> PerformanceAsync(
        string model,
        string? window,
        int? last,
        string? alias,
        MonitoringDbContext db,
        PolicyStore policies,
        PerformanceCheck check,
        CheckOutcomes outcomes,
        CancellationToken ct)
    {
        if (!CheckScope.TryParse(model, window, last, alias, out var scope, out var errors))
        {
            return TypedResults.ValidationProblem(errors, title: "The performance check's request is not valid");
        }

        if (!scope.IsFresh)
        {
            var newest = await db.PerformanceReports.AsNoTracking().Where(r => r.Model == model).OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
            return newest is null
                ? TypedResults.Problem(
                    $"No performance report for '{model}' yet: ask for one with ?window= or ?last=.", statusCode: StatusCodes.Status404NotFound, title: "No report")
                : TypedResults.Ok(JsonSerializer.Deserialize<PerformanceReport>(newest.ReportJson, JsonSerializerOptions.Web)!);
        }

        try
        {
            var policy = await policies.GetAsync(model, ct);
            var report = await check.RunAsync(scope, policy, ct);
            if (report is null)
            {
                return TypedResults.Problem(
                    $"The registry has no model '{model}' with an alias '{scope.Alias}'.", statusCode: StatusCodes.Status404NotFound, title: "Model not found");
            }

            await outcomes.PerformanceCheckedAsync(scope, policy, report, ct);
            return TypedResults.Ok(report);
        }
        catch (UpstreamUnavailableException exception)
        {
            return TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "A service the check needs is unavailable");
        }
    }
}
