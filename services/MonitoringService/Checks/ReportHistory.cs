using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using MlOps.Contracts;
using MlOps.ServiceConventions.Paging;
using Npgsql;

namespace MlOps.MonitoringService.Checks;

/// <summary>
/// A model's stored reports of one kind (drift or performance), newest first, a page at a time
/// (<c>?limit=&amp;cursor=</c>, the platform's paging).
/// </summary>
public static class ReportHistory
{
    public const string DriftTable = "drift_reports";
    public const string PerformanceTable = "performance_reports";

    public static async Task<Results<Ok<Page<T>>, ValidationProblem>> ListAsync<T>(
        NpgsqlDataSource database, string table, string model, int? limit, string? cursor, JsonSerializerOptions json, CancellationToken cancellationToken)
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
            $"SELECT id, report::text FROM monitoring.{Table(table)} WHERE model = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3");
        command.Parameters.Add(new NpgsqlParameter { Value = model });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)before ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = page.Limit + 1 });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<T>(page.Limit + 1);
        var ids = new List<long>(page.Limit + 1);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
            items.Add(JsonSerializer.Deserialize<T>(reader.GetString(1), json)!);
        }

        var more = items.Count > page.Limit;
        if (more)
        {
            items.RemoveAt(items.Count - 1);
        }

        return TypedResults.Ok(new Page<T>(items, more ? Pages.EncodeCursor(ids[items.Count - 1].ToString(CultureInfo.InvariantCulture)) : null));
    }

    /// <summary>The model's newest stored report of the kind, or null when it has none.</summary>
    public static async Task<T?> NewestAsync<T>(
        NpgsqlDataSource database, string table, string model, JsonSerializerOptions json, CancellationToken cancellationToken)
        where T : class
    {
        await using var command = database.CreateCommand($"SELECT report::text FROM monitoring.{Table(table)} WHERE model = $1 ORDER BY id DESC LIMIT 1");
        command.Parameters.Add(new NpgsqlParameter { Value = model });
        return await command.ExecuteScalarAsync(cancellationToken) is string report ? JsonSerializer.Deserialize<T>(report, json) : null;
    }

    /// <summary>The table is one of this class's constants, never the caller's text.</summary>
    private static string Table(string table) => table == DriftTable ? DriftTable : PerformanceTable;
}
