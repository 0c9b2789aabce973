using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using MlOps.Contracts;
using MlOps.Contracts.Monitoring;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceConventions.Paging;
using Npgsql;

namespace MlOps.MonitoringService.Retraining;

/// <summary><c>GET /api/monitoring/{model}/retrains?limit=&amp;cursor=</c> (scope mlops.read): the model's automatic retrainings, newest first.</summary>
public static class RetrainEndpoints
{
    public static void MapRetrains(this WebApplication app) =>
        app.MapGroup("/api/monitoring").WithTags("Monitoring")
            .MapGet("/{model}/retrains", ListAsync).RequireAuthorization(Scopes.Read).WithName("ListRetrains")
            .WithSummary("The model's automatic retrainings, newest first: why, when, and the job each started");

    private static async Task<Results<Ok<Page<RetrainRecord>>, ValidationProblem>> ListAsync(
        string model, int? limit, string? cursor, NpgsqlDataSource database, CancellationToken ct)
    {
        var (page, before, errors) = Pages.ReadById(limit, cursor);
        if (!Names.IsValidName(model))
        {
            errors["model"] = [$"'{model}' is not a model name: {Names.NameRule}."];
        }

        if (errors.Count > 0 || page is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var command = database.CreateCommand(
            """
            SELECT id, model, version, requested_at, reason, job_id, error FROM monitoring.retrains
            WHERE model = $1 AND ($2::bigint IS NULL OR id < $2)
            ORDER BY id DESC LIMIT $3
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = model });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)before ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = page.Limit + 1 });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var items = new List<RetrainRecord>();
        while (await reader.ReadAsync(ct))
        {
            items.Add(new RetrainRecord(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetInt32(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetGuid(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        var more = items.Count > page.Limit;
        if (more)
        {
            items.RemoveAt(items.Count - 1);
        }

        return TypedResults.Ok(new Page<RetrainRecord>(
            items, more ? Pages.EncodeCursor(items[^1].Id.ToString(CultureInfo.InvariantCulture)) : null));
    }
}
