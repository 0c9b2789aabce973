using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MlOps.Contracts;
using MlOps.Contracts.Monitoring;
using MlOps.Learning.Drift;
using MlOps.MonitoringService.Persistence;
using MlOps.MonitoringService.Policies;
using MlOps.MonitoringService.Upstream;
using MlOps.ServiceDefaults.Auth;

namespace MlOps.MonitoringService.Drift;

/// <summary>
/// <c>GET /api/monitoring/{model}/drift</c> (scope mlops.read): with <c>?window=</c> or <c>?last=</c>, a fresh check of
/// the version behind <c>?alias=</c> (default <c>production</c>) over that window of its logged predictions, stored and
/// answered; without either, the newest stored report.
/// </summary>
public static class DriftEndpoints
{
    public const string DefaultAlias = "production";

    /// <summary>How reports are written, stored and answered: the web's names, and infinite statistics as <c>"Infinity"</c>.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void MapDriftChecks(this WebApplication app) =>
        app.MapGroup("/api/monitoring").WithTags("Monitoring")
            .MapGet("/{model}/drift", DriftAsync).RequireAuthorization(Scopes.Read).WithName("CheckDrift")
            .WithSummary("A fresh drift report for ?window= or ?last=, or the newest stored one");

    private static async Task<Results<JsonHttpResult<DriftReport>, ValidationProblem, ProblemHttpResult>> DriftAsync(
        string model,
        string? window,
        int? last,
        string? alias,
        MonitoringDbContext db,
        RegistryClient registry,
        InferenceLogClient inferenceLog,
        DriftMetrics metrics,
        TimeProvider time,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Names.IsValidName(model))
        {
            errors["model"] = [$"'{model}' is not a model name: {Names.NameRule}."];
        }

        alias ??= DefaultAlias;
        if (!Names.IsValidAlias(alias))
        {
            errors["alias"] = [$"'{alias}' is not an alias: {Names.AliasRule}."];
        }

        var span = TimeSpan.Zero;
        if (window is not null && last is not null)
        {
            errors["window"] = ["Give either window or last, not both."];
        }
        else if (window is not null && (!Durations.TryParse(window, out span) || span < ModelPolicy.MinWindow || span > ModelPolicy.MaxWindow))
        {
            errors["window"] = [$"window must be {Durations.Rule}, between {Durations.Format(ModelPolicy.MinWindow)} and {Durations.Format(ModelPolicy.MaxWindow)}."];
        }
        else if (last is < 1 or > ModelPolicy.MaxLast)
        {
            errors["last"] = [$"last must be between 1 and {ModelPolicy.MaxLast:N0} predictions."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The drift check's request is not valid");
        }

        if (window is null && last is null)
        {
            var newest = await db.DriftReports.AsNoTracking().Where(r => r.Model == model).OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
            return newest is null
                ? TypedResults.Problem(
                    $"No drift report for '{model}' yet: ask for one with ?window= or ?last=.", statusCode: StatusCodes.Status404NotFound, title: "No report")
                : TypedResults.Json(JsonSerializer.Deserialize<DriftReport>(newest.ReportJson, Json)!, Json);
        }

        var policy = (await db.Policies.AsNoTracking().SingleOrDefaultAsync(p => p.Model == model, ct))?.ToPolicy() ?? ModelPolicy.Default;
        try
        {
            var version = await registry.GetAliasAsync(model, alias, ct);
            if (version is null)
            {
                return TypedResults.Problem(
                    $"The registry has no model '{model}' with an alias '{alias}'.", statusCode: StatusCodes.Status404NotFound, title: "Model not found");
            }

            var reference = await registry.GetReferenceAsync(model, version.Version, ct) with { Version = version.Version };
            var checkedAt = time.GetUtcNow();
            DateTimeOffset? since = window is null ? null : checkedAt - span;
            var predictions = new DriftWindow(reference, version.Classes);
            await foreach (var line in inferenceLog.ReadAsync(model, since, last, ct))
            {
                predictions.AddLine(line);
            }

            var report = predictions.Report(
                new DriftThresholds(policy.PValueThreshold, policy.DistanceThreshold), policy.DriftShare, policy.MinDriftSamples, since, checkedAt)
                with { CheckedAt = checkedAt };
            db.DriftReports.Add(new DriftReportRow
            {
                Model = model,
                Version = report.Version,
                CheckedAt = checkedAt,
                DatasetDrift = report.DatasetDrift,
                ReportJson = JsonSerializer.Serialize(report, Json),
            });
            await db.SaveChangesAsync(ct);
            metrics.Checked(report);
            return TypedResults.Json(report, Json);
        }
        catch (UpstreamUnavailableException exception)
        {
            return TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "A service the check needs is unavailable");
        }
    }
}
