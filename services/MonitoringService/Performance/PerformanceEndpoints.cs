using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using MlOps.Contracts.Monitoring;
using MlOps.MonitoringService.Checks;
using MlOps.MonitoringService.Policies;
using MlOps.ServiceConventions.Auth;
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

    private static Task<Results<JsonHttpResult<PerformanceReport>, ValidationProblem, ProblemHttpResult>> PerformanceAsync(
        string model,
        string? window,
        int? last,
        string? alias,
        NpgsqlDataSource database,
        PolicyStore policies,
        PerformanceCheck check,
        CancellationToken ct) =>
        CheckRequests.AnswerAsync("performance", ReportHistory.PerformanceTable, model, window, last, alias, database, policies, JsonSerializerOptions.Web, check.RunAsync, ct);
}
