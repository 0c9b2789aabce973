using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using MlOps.Contracts.Serving;
using MlOps.ServiceConventions.Auth;
using Npgsql;

namespace MlOps.ServingService.InferenceLog;

public static class InferenceLogEndpoints
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;

    /// <summary>The most predictions <c>last</c> may ask for.</summary>
    public const int MaxLast = 10_000_000;

    /// <summary>
    /// A JSON column's text as UTF-8, read into <paramref name="scratch"/> as the database sent it: no string, no
    /// transcoding (the export copies 1,000,000 inputs in a few seconds).
    /// </summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBytesAsync(NpgsqlDataReader reader, int ordinal, ArrayBufferWriter<byte> scratch, CancellationToken ct)
    {
        scratch.ResetWrittenCount();
        await using var stream = await reader.GetStreamAsync(ordinal, ct);
        while (true)
        {
            var read = await stream.ReadAsync(scratch.GetMemory(4096), ct);
            if (read == 0)
            {
                return scratch.WrittenMemory;
            }

            scratch.Advance(read);
        }
    }

    /// <summary>The most ids one lookup may name.</summary>
    public const int MaxLookup = 1000;

    /// <summary>
    /// <c>GET /api/serving/inference-log?model=&amp;since=&amp;until=&amp;last=&amp;after=&amp;limit=</c>: a model's logged
    /// predictions as NDJSON, oldest first, streamed from the database. <c>last</c> keeps only the model's newest that
    /// many predictions (counted when each page is read). Pages follow by id: pass the last id received as
    /// <c>after</c>; a page shorter than <c>limit</c> is the last.
    /// </summary>
    public static void MapInferenceLog(this WebApplication app)
    {
        var group = app.MapGroup("/api/serving/inference-log").WithTags("Serving").RequireAuthorization(Scopes.Read);
        group.MapGet("", ExportAsync)
            .WithName("ExportInferenceLog")
            .WithSummary("A model's logged predictions as NDJSON, oldest first; ?since=&until= or ?last=N; page with ?after=<last id>&limit=");
        group.MapPost("/lookup", LookupAsync)
            .WithName("LookUpPredictions")
            .WithSummary($"The logged predictions with the ids given (at most {MaxLookup:N0}): model, version, time and output");
    }

    /// <summary>
    /// <c>POST /api/serving/inference-log/lookup</c> <c>{"ids": [...]}</c>: what the monitor checks feedback against. A
    /// prediction is found once its batch is written, normally within the writer's batch delay of being served.
    /// </summary>
    private static async Task<Results<Ok<PredictionLookupResponse>, ValidationProblem>> LookupAsync(
        PredictionLookupRequest? request, NpgsqlDataSource database, CancellationToken ct)
    {
        if (request?.Ids is not { Count: > 0 and <= MaxLookup } ids)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["ids"] = [$"ids must list between 1 and {MaxLookup:N0} prediction ids."] });
        }

        await using var command = database.CreateCommand(
            "SELECT id, model, version, at, output::text FROM serving.inference_log WHERE id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = ids.Distinct().ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var found = new List<LoggedPrediction>(ids.Count);
        while (await reader.ReadAsync(ct))
        {
            using var output = JsonDocument.Parse(reader.GetString(4));
            found.Add(new LoggedPrediction(
                reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), reader.GetFieldValue<DateTimeOffset>(3), output.RootElement.Clone()));
        }

        return TypedResults.Ok(new PredictionLookupResponse(found));
    }

    private static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportAsync(
        string? model, DateTimeOffset? since, DateTimeOffset? until, int? last, Guid? after, int? limit, HttpContext context, NpgsqlDataSource database, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(model))
        {
            errors["model"] = ["model is required: the model whose predictions to export."];
        }

        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        }

        if (last is < 1 or > MaxLast)
        {
            errors["last"] = [$"last must be between 1 and {MaxLast}."];
        }

        if (since is not null && until is not null && until <= since)
        {
            errors["until"] = ["until must be after since."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var command = database.CreateCommand(
            """
            SELECT id, model, version, at, inputs::text, output::text, latency_ms, request_id, caller
            FROM serving.inference_log
            WHERE model = $1 AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3) AND ($4::uuid IS NULL OR id > $4)
              AND ($6::integer IS NULL OR id >= COALESCE(
                  (SELECT id FROM serving.inference_log WHERE model = $1 ORDER BY id DESC OFFSET $6 - 1 LIMIT 1),
                  '00000000-0000-0000-0000-000000000000'::uuid))
            ORDER BY id
            LIMIT $5
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = model });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)since ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)until ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = limit ?? DefaultLimit });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)last ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);

        context.Response.ContentType = "application/x-ndjson";
        var body = context.Response.BodyWriter;
        var scratch = new ArrayBufferWriter<byte>(4096);
        await using var json = new Utf8JsonWriter(body);
        while (await reader.ReadAsync(ct))
        {
            json.WriteStartObject();
            json.WriteString("id", reader.GetGuid(0));
            json.WriteString("model", reader.GetString(1));
            json.WriteNumber("version", reader.GetInt32(2));
            json.WriteString("at", reader.GetFieldValue<DateTimeOffset>(3));
            json.WritePropertyName("inputs");
            json.WriteRawValue((await ReadBytesAsync(reader, 4, scratch, ct)).Span, skipInputValidation: true);
            json.WritePropertyName("output");
            json.WriteRawValue((await ReadBytesAsync(reader, 5, scratch, ct)).Span, skipInputValidation: true);
            json.WriteNumber("latencyMs", reader.GetDouble(6));
            if (!await reader.IsDBNullAsync(7, ct))
            {
                json.WriteString("requestId", reader.GetString(7));
            }

            json.WriteString("caller", reader.GetString(8));
            json.WriteEndObject();
            // Into the response's buffer (no I/O): the body is sent 32 KiB at a time below.
            json.Flush();
            json.Reset();
            body.Write("\n"u8);
            if (body.UnflushedBytes > 32 * 1024)
            {
                await body.FlushAsync(ct);
            }
        }

        await body.FlushAsync(ct);
        return TypedResults.Empty;
    }
}
