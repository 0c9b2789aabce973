using System.Globalization;
using System.Text.Json;
using MlOps.Clients;
using MlOps.Contracts.Monitoring;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Serving;
using MlOps.Learning.Training;
using MlOps.MonitoringService.Upstream;
using Npgsql;
using NpgsqlTypes;

namespace MlOps.MonitoringService.Feedback;

/// <summary>What became of a feedback request: stored, or refused with every reason by field.</summary>
public abstract record FeedbackOutcome
{
    public sealed record Stored(int Accepted, int Duplicates) : FeedbackOutcome;

    /// <summary>A field is missing or wrong (400).</summary>
    public sealed record Invalid(Dictionary<string, string[]> Errors) : FeedbackOutcome;

    /// <summary>Every error is a prediction id the inference log does not have (404).</summary>
    public sealed record Unknown(Dictionary<string, string[]> Errors) : FeedbackOutcome;

    /// <summary>A prediction already has a different actual value (409); nothing was stored.</summary>
    public sealed record Conflict(Dictionary<string, string[]> Errors) : FeedbackOutcome;
}

/// <summary>
/// Checks feedback against the predictions it names (serving's inference log) and the versions that made them (the
/// registry), and stores it with the prediction's output, all of a request or none of it.
/// </summary>
public sealed class FeedbackIntake(
    NpgsqlDataSource database,
    InferenceLogClient inferenceLog,
    RegistryClient registry,
    ModelVersionCache versions,
    FeedbackMetrics metrics,
    TimeProvider time)
{
    public const int MaxItems = 1000;

    /// <summary>
    /// A prediction reaches the inference log a moment after it is answered (the writer batches); ids not found at first
    /// are looked up once more after this long.
    /// </summary>
    public static readonly TimeSpan LookupRetryDelay = TimeSpan.FromSeconds(1);

    private const int MaxClassesNamed = 20;

    /// <summary>A checked item: the prediction it names, and the actual value as a label or a number.</summary>
    private sealed record Checked(string Field, LoggedPrediction Prediction, ModelVersionResponse Version, string? Label, double? Value);

    public async Task<FeedbackOutcome> AcceptAsync(FeedbackRequest request, string caller, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var items = Items(request, errors);
        if (errors.Count > 0)
        {
            return new FeedbackOutcome.Invalid(errors);
        }

        var ids = items.Select(item => item.Item.PredictionId!.Value).Distinct().ToArray();
        var found = await inferenceLog.LookUpAsync(ids, cancellationToken);
        if (found.Count < ids.Length)
        {
            await Task.Delay(LookupRetryDelay, time, cancellationToken);
            foreach (var (id, prediction) in await inferenceLog.LookUpAsync(ids.Where(id => !found.ContainsKey(id)).ToArray(), cancellationToken))
            {
                found[id] = prediction;
            }
        }

        var unknown = new Dictionary<string, string[]>();
        var accepted = new Dictionary<Guid, Checked>();
        foreach (var (field, item) in items)
        {
            var id = item.PredictionId!.Value;
            if (!found.TryGetValue(id, out var prediction))
            {
                unknown[$"{field}predictionId"] = [$"No logged prediction has the id {id}."];
                continue;
            }

            var version = await versions.GetAsync(registry, prediction.Model, prediction.Version, cancellationToken);
            if (version is null)
            {
                errors[$"{field}predictionId"] = [$"Prediction {id} was made by {prediction.Model} version {prediction.Version}, which the registry no longer has."];
                continue;
            }

            if (Check(field, item.Actual, prediction, version, errors) is not { } checkedItem)
            {
                continue;
            }

            if (accepted.TryGetValue(id, out var earlier) && (earlier.Label, earlier.Value) != (checkedItem.Label, checkedItem.Value))
            {
                errors[$"{field}actual"] = [$"Prediction {id} is given two different actual values in this request ({earlier.Field}actual and {field}actual)."];
                continue;
            }

            accepted[id] = checkedItem;
        }

        if (errors.Count > 0)
        {
            foreach (var (field, messages) in unknown)
            {
                errors[field] = messages;
            }

            return new FeedbackOutcome.Invalid(errors);
        }

        if (unknown.Count > 0)
        {
            return new FeedbackOutcome.Unknown(unknown);
        }

        return await StoreAsync(accepted.Values.ToArray(), caller, cancellationToken);
    }

    /// <summary>The request's items with the prefix of their fields in errors (none for a single one).</summary>
    private static List<(string Field, FeedbackItem Item)> Items(FeedbackRequest request, Dictionary<string, string[]> errors)
    {
        var single = request.PredictionId is not null || request.Actual.ValueKind != JsonValueKind.Undefined;
        if (single && request.Items is not null)
        {
            errors["items"] = ["Give either predictionId and actual, or items, not both."];
            return [];
        }

        List<(string Field, FeedbackItem Item)> items = single
            ? [(string.Empty, new FeedbackItem(request.PredictionId, request.Actual))]
            : request.Items?.Select((item, i) => ($"items[{i}].", item)).ToList() ?? [];
        if (items.Count is 0 or > MaxItems)
        {
            errors["items"] = [$"Give predictionId and actual, or items with between 1 and {MaxItems:N0} of them."];
            return [];
        }

        foreach (var (field, item) in items)
        {
            if (item is null)
            {
                errors[field.TrimEnd('.')] = ["An item must be an object with predictionId and actual."];
                continue;
            }

            if (item.PredictionId is null)
            {
                errors[$"{field}predictionId"] = ["predictionId is required: the id the prediction was answered with."];
            }

            if (item.Actual.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            {
                errors[$"{field}actual"] = ["actual is required: the true class, or the true value for a regression model."];
            }
        }

        return items;
    }

    private static Checked? Check(
        string field, JsonElement actual, LoggedPrediction prediction, ModelVersionResponse version, Dictionary<string, string[]> errors)
    {
        var output = prediction.Output;
        if (!TaskNames.TryParse(version.Task, out var task))
        {
            errors[$"{field}predictionId"] = [$"{version.Model} version {version.Version} has a task ('{version.Task}') this service does not know."];
            return null;
        }

        if (task == LearningTask.Regression)
        {
            if (actual.ValueKind != JsonValueKind.Number || !actual.TryGetDouble(out var value) || !double.IsFinite(value))
            {
                errors[$"{field}actual"] = [$"{version.Model} version {version.Version} is a regression model: actual must be a number."];
                return null;
            }

            return new Checked(field, prediction, version, null, value);
        }

        var label = actual.ValueKind switch
        {
            JsonValueKind.String => actual.GetString(),
            JsonValueKind.Number when actual.TryGetDouble(out var number) => number.ToString("R", CultureInfo.InvariantCulture),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
        if (label is null || !version.Classes.Contains(label))
        {
            var classes = string.Join(", ", version.Classes.Take(MaxClassesNamed)) + (version.Classes.Count > MaxClassesNamed ? ", …" : string.Empty);
            errors[$"{field}actual"] = [$"{actual.GetRawText()} is not a class of {version.Model} version {version.Version} (classes: {classes})."];
            return null;
        }

        if (!output.TryGetProperty("probabilities"u8, out _) || !output.TryGetProperty("label"u8, out _))
        {
            errors[$"{field}predictionId"] = [$"Prediction {prediction.Id} was logged without its class probabilities."];
            return null;
        }

        return new Checked(field, prediction, version, label, null);
    }

    private async Task<FeedbackOutcome> StoreAsync(IReadOnlyList<Checked> items, string caller, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = new HashSet<Guid>();
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            foreach (var item in items)
            {
                batch.BatchCommands.Add(Insert(item, caller, now));
            }

            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    inserted.Add(reader.GetGuid(0));
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        var repeated = items.Where(item => !inserted.Contains(item.Prediction.Id)).ToDictionary(item => item.Prediction.Id);
        if (repeated.Count > 0)
        {
            var conflicts = await ConflictsAsync(connection, transaction, repeated, cancellationToken);
            if (conflicts.Count > 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new FeedbackOutcome.Conflict(conflicts);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var model in items.GroupBy(item => item.Prediction.Model))
        {
            var accepted = model.Count(item => inserted.Contains(item.Prediction.Id));
            metrics.Received(model.Key, accepted, model.Count() - accepted);
        }

        return new FeedbackOutcome.Stored(inserted.Count, items.Count - inserted.Count);
    }

    private static NpgsqlBatchCommand Insert(Checked item, string caller, DateTimeOffset now)
    {
        var output = item.Prediction.Output;
        double[]? probabilities = null;
        string? predictedLabel = null;
        double? predictedValue = null;
        if (item.Label is not null)
        {
            predictedLabel = output.GetProperty("label"u8).GetString();
            var byClass = output.GetProperty("probabilities"u8);
            probabilities = new double[item.Version.Classes.Count];
            for (var k = 0; k < probabilities.Length; k++)
            {
                probabilities[k] = byClass.TryGetProperty(item.Version.Classes[k], out var p) ? p.GetDouble() : 0;
            }
        }
        else if (output.TryGetProperty("value"u8, out var value) && value.ValueKind == JsonValueKind.Number)
        {
            predictedValue = value.GetDouble();
        }

        var command = new NpgsqlBatchCommand(
            """
            INSERT INTO monitoring.feedback (prediction_id, model, version, predicted_at, predicted_label, probabilities,
                predicted_value, actual_label, actual_value, received_at, caller)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (prediction_id) DO NOTHING
            RETURNING prediction_id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = item.Prediction.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = item.Prediction.Model });
        command.Parameters.Add(new NpgsqlParameter { Value = item.Prediction.Version });
        command.Parameters.Add(new NpgsqlParameter { Value = item.Prediction.At });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)predictedLabel ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)probabilities ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)predictedValue ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)item.Label ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)item.Value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = caller });
        return command;
    }

    /// <summary>The repeated items whose stored actual value differs from the one sent now, by field.</summary>
    private static async Task<Dictionary<string, string[]>> ConflictsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Dictionary<Guid, Checked> repeated, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT prediction_id, actual_label, actual_value FROM monitoring.feedback WHERE prediction_id = ANY($1)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = repeated.Keys.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var conflicts = new Dictionary<string, string[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var item = repeated[reader.GetGuid(0)];
            var storedLabel = reader.IsDBNull(1) ? null : reader.GetString(1);
            double? storedValue = reader.IsDBNull(2) ? null : reader.GetDouble(2);
            if ((storedLabel, storedValue) != (item.Label, item.Value))
            {
                var stored = storedLabel is not null ? $"'{storedLabel}'" : storedValue!.Value.ToString("R", CultureInfo.InvariantCulture);
                conflicts[$"{item.Field}actual"] = [$"Prediction {item.Prediction.Id} already has the actual value {stored}; feedback is not changed once given."];
            }
        }

        return conflicts;
    }
}
