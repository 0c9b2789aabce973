using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MlOps.Contracts.Monitoring;
using MlOps.MonitoringService.Checks;
using MlOps.MonitoringService.Persistence;
using MlOps.MonitoringService.Policies;
using MlOps.MonitoringService.Upstream;
using MlOps.ServiceDefaults.Auth;
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

    private static async Task<Results<JsonHttpResult<DriftReport>, ValidationProblem, ProblemHttpResult>> DriftAsync(
        string model,
        string? window,
        int? last,
        string? alias,
        MonitoringDbContext db,
        PolicyStore policies,
        DriftCheck check,
        CheckOutcomes outcomes,
        CancellationToken ct)
    {
        if (!CheckScope.TryParse(model, window, last, alias, out var scope, out var errors))
        {
            return TypedResults.ValidationProblem(errors, title: "The drift check's request is not valid");
        }

        if (!scope.IsFresh)
        {
            var newest = await db.DriftReports.AsNoTracking().Where(r => r.Model == model).OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
            return newest is null
                ? TypedResults.Problem(
                    $"No drift report for '{model}' yet: ask for one with ?window= or ?last=.", statusCode: StatusCodes.Status404NotFound, title: "No report")
                : TypedResults.Json(JsonSerializer.Deserialize<DriftReport>(newest.ReportJson, Json)!, Json);
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

            await outcomes.DriftCheckedAsync(scope, policy, report, ct);
            return TypedResults.Json(report, Json);
        }
        catch (UpstreamUnavailableException exception)
        {
            return TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "A service the check needs is unavailable");
        }
    }
}
