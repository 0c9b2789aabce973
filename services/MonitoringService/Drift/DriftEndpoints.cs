using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using MlOps.Contracts.Monitoring;
using MlOps.MonitoringService.Checks;
using MlOps.MonitoringService.Policies;
using MlOps.ServiceConventions.Auth;
using Npgsql;

namespace MlOps.MonitoringService.Drift;

/// <summary>
/// <c>GET /api/monitoring/{model}/drift</c> (scope mlops.read): with <c>?window=</c> or <c>?last=</c>, a fresh check of
/// the version behind <c>?alias=</c> (default <c>production</c>) over that window of its logged predictions, stored and
/// answered; without either, the newest stored report.
/// </summary>
public static class DriftEndpoints
{
    /// <summary>How reports are written, stored and answered: the web's names, and infinite statistics as <c>"Infinity"</c>.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void MapDriftChecks(this WebApplication app)
    {
        var monitoring = app.MapGroup("/api/monitoring").WithTags("Monitoring").RequireAuthorization(Scopes.Read);
        monitoring.MapGet("/{model}/drift", DriftAsync).WithName("CheckDrift")
            .WithSummary("A fresh drift report for ?window= or ?last=, or the newest stored one");
        monitoring.MapGet(
                "/{model}/drift/reports",
                (string model, int? limit, string? cursor, NpgsqlDataSource database, CancellationToken ct) =>
                    ReportHistory.ListAsync<DriftReport>(database, ReportHistory.DriftTable, model, limit, cursor, Json, ct))
            .WithName("ListDriftReports")
            .WithSummary("The model's stored drift reports, newest first, paged");
    }

    private static Task<Results<JsonHttpResult<DriftReport>, ValidationProblem, ProblemHttpResult>> DriftAsync(
        string model,
        string? window,
        int? last,
        string? alias,
        NpgsqlDataSource database,
        PolicyStore policies,
        DriftCheck check,
        CancellationToken ct) =>
        CheckRequests.AnswerAsync("drift", ReportHistory.DriftTable, model, window, last, alias, database, policies, Json, check.RunAsync, ct);
}
