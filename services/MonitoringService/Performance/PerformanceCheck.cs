using System.Text.Json;
using MlOps.Clients;
using MlOps.Contracts.Monitoring;
using MlOps.Contracts.Registry;
using MlOps.Learning.Evaluation;
using MlOps.Learning.Training;
using MlOps.MonitoringService.Checks;
using MlOps.MonitoringService.Persistence;
using MlOps.MonitoringService.Policies;
using MlOps.MonitoringService.Upstream;
using Npgsql;
using NpgsqlTypes;

namespace MlOps.MonitoringService.Performance;

/// <summary>
/// A performance check: the task's metrics over the labelled predictions of the version behind the scope's alias
/// (feedback joined with what was predicted), beside the version's validation metrics; decay when the primary metric
/// is worse than validation by more than the policy's relative drop. The report is stored, exported as gauges, and what
/// follows it is done (<see cref="CheckOutcomes"/>).
/// </summary>
public sealed class PerformanceCheck(
    MonitoringDbContext db, NpgsqlDataSource database, RegistryClient registry, PerformanceMetrics metrics, CheckOutcomes outcomes, TimeProvider time)
{
    /// <summary>The most labelled predictions one check reads (the newest, for a window holding more).</summary>
    public const int MaxLabelled = 1_000_000;

    /// <summary>The stored report, or null when the registry has no such model or alias.</summary>
    /// <exception cref="ServiceUnavailableException">The registry could not be read.</exception>
    public async Task<PerformanceReport?> RunAsync(CheckScope scope, ModelPolicy policy, CancellationToken cancellationToken)
    {
        var version = await registry.GetAliasAsync(scope.Model, scope.Alias, cancellationToken);
        if (version is null)
        {
            return null;
        }

        var checkedAt = time.GetUtcNow();
        DateTimeOffset? since = scope.Window is { } window ? checkedAt - window : null;
        var labelled = await ReadAsync(version, since, Math.Min(scope.Last ?? MaxLabelled, MaxLabelled), cancellationToken);
        var report = Evaluate(version, labelled, policy, since, checkedAt);
        db.PerformanceReports.Add(new PerformanceReportRow
        {
            Model = scope.Model,
            Version = version.Version,
            CheckedAt = checkedAt,
            Decay = report.Decay,
            ReportJson = JsonSerializer.Serialize(report, JsonSerializerOptions.Web),
        });
        await db.SaveChangesAsync(cancellationToken);
        metrics.Checked(report);
        await outcomes.PerformanceCheckedAsync(scope, policy, report, cancellationToken);
        return report;
    }

    /// <summary>The labelled predictions of a version: what was predicted and what actually happened, newest first.</summary>
    private sealed class Labelled(bool classification, int capacity)
    {
        public List<int> ActualClasses { get; } = classification ? new(capacity) : [];

        public List<double> Probabilities { get; } = classification ? new(capacity) : [];

        public List<double> ActualValues { get; } = classification ? [] : new(capacity);

        public List<double> PredictedValues { get; } = classification ? [] : new(capacity);

        public int Count => Math.Max(ActualClasses.Count, ActualValues.Count);
    }

    private async Task<Labelled> ReadAsync(ModelVersionResponse version, DateTimeOffset? since, int limit, CancellationToken cancellationToken)
    {
        var classification = version.Task != TaskNames.Regression;
        var classes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < version.Classes.Count; k++)
        {
            classes[version.Classes[k]] = k;
        }

        await using var command = database.CreateCommand(
            """
            SELECT probabilities, predicted_value, actual_label, actual_value
            FROM monitoring.feedback
            WHERE model = $1 AND version = $2 AND ($3::timestamptz IS NULL OR predicted_at >= $3)
            ORDER BY predicted_at DESC
            LIMIT $4
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = version.Model });
        command.Parameters.Add(new NpgsqlParameter { Value = version.Version });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)since ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var labelled = new Labelled(classification, Math.Min(limit, 10_000));
        while (await reader.ReadAsync(cancellationToken))
        {
            if (classification)
            {
                if (reader.IsDBNull(0) || reader.IsDBNull(2) || !classes.TryGetValue(reader.GetString(2), out var actual))
                {
                    continue;
                }

                var probabilities = reader.GetFieldValue<double[]>(0);
                if (probabilities.Length != version.Classes.Count)
                {
                    continue;
                }

                labelled.ActualClasses.Add(actual);
                labelled.Probabilities.AddRange(probabilities);
            }
            else if (!reader.IsDBNull(1) && !reader.IsDBNull(3))
            {
                labelled.PredictedValues.Add(reader.GetDouble(1));
                labelled.ActualValues.Add(reader.GetDouble(3));
            }
        }

        return labelled;
    }

    private static PerformanceReport Evaluate(
        ModelVersionResponse version, Labelled labelled, ModelPolicy policy, DateTimeOffset? since, DateTimeOffset checkedAt)
    {
        var primary = version.PrimaryMetric;
        // Metrics undefined on these rows (r2 of one row) are left out: a report holds numbers only.
        Dictionary<string, double> live = labelled.Count == 0 ? [] : version.Task switch
        {
            TaskNames.Regression => ModelEvaluator.RegressionMetricsOf(labelled.ActualValues.ToArray(), labelled.PredictedValues.ToArray()),
            TaskNames.Binary => ModelEvaluator.BinaryMetricsOf(labelled.ActualClasses.ToArray(), PositiveProbabilities(labelled), oneClassAllowed: true),
            _ => ModelEvaluator.MulticlassMetricsOf(labelled.ActualClasses.ToArray(), labelled.Probabilities.ToArray(), version.Classes.Count),
        };
        foreach (var undefined in live.Where(metric => !double.IsFinite(metric.Value)).Select(metric => metric.Key).ToArray())
        {
            live.Remove(undefined);
        }

        double? drop = live.TryGetValue(primary.Name, out var value) && double.IsFinite(value)
            ? RelativeDrop(primary.Value, value, primary.HigherIsBetter)
            : null;
        string? note = null;
        bool? decay = null;
        if (labelled.Count < policy.MinFeedbackSamples)
        {
            note = $"{labelled.Count:N0} labelled predictions, fewer than the policy's minimum of {policy.MinFeedbackSamples:N0}: no verdict.";
        }
        else if (drop is null)
        {
            note = $"The primary metric {primary.Name} is undefined on these labelled predictions (auc needs both classes): no verdict.";
        }
        else
        {
            decay = drop > policy.MaxPerformanceDrop;
        }

        return new PerformanceReport(
            version.Model, version.Version, since, checkedAt, labelled.Count, policy.MinFeedbackSamples, live, version.Metrics,
            primary.Name, primary.HigherIsBetter, drop, policy.MaxPerformanceDrop, decay, note, checkedAt);
    }

    private static double[] PositiveProbabilities(Labelled labelled)
    {
        var positive = new double[labelled.ActualClasses.Count];
        for (var i = 0; i < positive.Length; i++)
        {
            positive[i] = labelled.Probabilities[(2 * i) + 1];
        }

        return positive;
    }

    /// <summary>
    /// How much worse live is than validation, as a share of the validation value (of 1 when validation is 0):
    /// positive when worse, negative when better.
    /// </summary>
    public static double RelativeDrop(double validation, double live, bool higherIsBetter)
    {
        var worse = higherIsBetter ? validation - live : live - validation;
        var scale = Math.Abs(validation) > 0 ? Math.Abs(validation) : 1;
        return worse / scale;
    }
}
