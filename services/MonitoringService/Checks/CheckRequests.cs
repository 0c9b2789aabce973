using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using MlOps.Clients;
using MlOps.MonitoringService.Policies;
using MlOps.MonitoringService.Upstream;
using Npgsql;

namespace MlOps.MonitoringService.Checks;

/// <summary>
/// How <c>GET /api/monitoring/{model}/drift</c> and <c>…/performance</c> answer: with <c>?window=</c> or <c>?last=</c>,
/// a fresh check of the version behind <c>?alias=</c> under the model's policy (and what follows it); without either,
/// the newest stored report.
/// </summary>
public static class CheckRequests
{
    /// <param name="kind">The check's name in messages: drift, performance.</param>
    /// <param name="table">Where its reports are stored (<see cref="ReportHistory"/>).</param>
    /// <param name="check">Runs the check and what follows it; null when the registry has no such model or alias.</param>
    public static async Task<Results<JsonHttpResult<T>, ValidationProblem, ProblemHttpResult>> AnswerAsync<T>(
        string kind,
        string table,
        string model,
        string? window,
        int? last,
        string? alias,
        NpgsqlDataSource database,
        PolicyStore policies,
        JsonSerializerOptions json,
        Func<CheckScope, ModelPolicy, CancellationToken, Task<T?>> check,
        CancellationToken cancellationToken)
        where T : class
    {
        if (!CheckScope.TryParse(model, window, last, alias, out var scope, out var errors))
        {
            return TypedResults.ValidationProblem(errors, title: $"The {kind} check's request is not valid");
        }

        if (!scope.IsFresh)
        {
            return await ReportHistory.NewestAsync<T>(database, table, model, json, cancellationToken) is { } newest
                ? TypedResults.Json(newest, json)
                : TypedResults.Problem(
                    $"No {kind} report for '{model}' yet: ask for one with ?window= or ?last=.", statusCode: StatusCodes.Status404NotFound, title: "No report");
        }

        try
        {
            var policy = await policies.GetAsync(model, cancellationToken);
            return await check(scope, policy, cancellationToken) is { } report
                ? TypedResults.Json(report, json)
                : TypedResults.Problem(
                    $"The registry has no model '{model}' with an alias '{scope.Alias}'.", statusCode: StatusCodes.Status404NotFound, title: "Model not found");
        }
        catch (ServiceUnavailableException exception)
        {
            return TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "A service the check needs is unavailable");
        }
    }
}
