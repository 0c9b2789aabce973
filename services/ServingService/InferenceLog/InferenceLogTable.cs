using Npgsql;
using NpgsqlTypes;

namespace MlOps.ServingService.InferenceLog;

/// <summary>
/// Writes batches to <c>serving.inference_log</c>: COPY into a transaction's staging table, then one insert that skips
/// ids already there. A batch is written whole or not at all, and writing it twice writes it once.
/// </summary>
public sealed class InferenceLogTable(NpgsqlDataSource database)
{
    public async Task WriteAsync(IReadOnlyList<InferenceRecord> records, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var staging = new NpgsqlCommand(
            "CREATE TEMP TABLE inference_staging (LIKE serving.inference_log) ON COMMIT DROP", connection, transaction))
        {
            await staging.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY inference_staging (id, model, version, at, inputs, output, latency_ms, request_id, caller) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var record in records)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(record.Id, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(record.Model, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(record.Version, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(record.At, NpgsqlDbType.TimestampTz, cancellationToken);
                await writer.WriteAsync(record.Inputs, NpgsqlDbType.Json, cancellationToken);
                await writer.WriteAsync(record.Output, NpgsqlDbType.Json, cancellationToken);
                await writer.WriteAsync(record.LatencyMs, NpgsqlDbType.Double, cancellationToken);
                if (record.RequestId is null)
                {
                    await writer.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await writer.WriteAsync(record.RequestId, NpgsqlDbType.Text, cancellationToken);
                }

                await writer.WriteAsync(record.Caller, NpgsqlDbType.Text, cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        await using (var insert = new NpgsqlCommand(
            "INSERT INTO serving.inference_log SELECT * FROM inference_staging ON CONFLICT (id) DO NOTHING", connection, transaction))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
