using System.Text.Json;
using MlOps.Clients;
using MlOps.Contracts.Monitoring;
using MlOps.Learning.Drift;
using MlOps.MonitoringService.Checks;
using MlOps.MonitoringService.Persistence;
using MlOps.MonitoringService.Policies;

namespace MlOps.MonitoringService.Drift;

/// <summary>
/// A drift check: the version behind the scope's alias against its reference profile, over the scope's window of
/// logged predictions; the report is stored, exported as gauges, and what follows it is done (<see cref="CheckOutcomes"/>).
/// </summary>
public sealed class DriftCheck(
    MonitoringDbContext db, RegistryClient registry, InferenceLogClient inferenceLog, DriftMetrics metrics, CheckOutcomes outcomes, TimeProvider time)
{
    /// <summary>The stored report, or null when the registry has no such model or alias.</summary>
    /// <exception cref="ServiceUnavailableException">The registry or serving could not be read.</exception>
    public async Task<DriftReport?> RunAsync(CheckScope scope, ModelPolicy policy, CancellationToken cancellationToken)
    {
        var version = await registry.GetAliasAsync(scope.Model, scope.Alias, cancellationToken);
        if (version is null)
        {
            return null;
        }

        var reference = await registry.GetReferenceAsync(scope.Model, version.Version, cancellationToken) with { Version = version.Version };
        var checkedAt = time.GetUtcNow();
        DateTimeOffset? since = scope.Window is { } window ? checkedAt - window : null;
        var predictions = new DriftWindow(reference, version.Classes);
        await foreach (var page in inferenceLog.ReadPagesAsync(scope.Model, since, scope.Last, cancellationToken))
        {
            using (page)
            {
                predictions.AddLines(page.Ndjson, page.LinesInWindow);
            }
        }

        var report = predictions.Report(
            new DriftThresholds(policy.PValueThreshold, policy.DistanceThreshold), policy.DriftShare, policy.MinDriftSamples, since, checkedAt)
            with { CheckedAt = checkedAt };
        db.DriftReports.Add(new DriftReportRow
        {
            Model = scope.Model,
            Version = report.Version,
            CheckedAt = checkedAt,
            DatasetDrift = report.DatasetDrift,
            ReportJson = JsonSerializer.Serialize(report, DriftEndpoints.Json),
        });
        await db.SaveChangesAsync(cancellationToken);
        metrics.Checked(report);
        await outcomes.DriftCheckedAsync(scope, policy, report, cancellationToken);
        return report;
    }
}
