using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MlOps.Contracts.Monitoring;

namespace MlOps.MonitoringService.Drift;

/// <summary>
/// The newest check of each model this replica ran, as gauges: <c>mlops_feature_drift_score{model,feature,test}</c>
/// (Evidently's drift score: the p-value of a p-value test, the distance of a distance test),
/// <c>mlops_prediction_drift_score{model,test}</c>, <c>mlops_dataset_drift_share{model}</c> and
/// <c>mlops_dataset_drift{model}</c> (1 drifted, 0 not; absent without a verdict); and
/// <c>mlops_drift_checks_total{model,outcome}</c> (<c>drift</c>, <c>no_drift</c>, <c>insufficient</c>).
/// </summary>
public sealed class DriftMetrics
{
    public const string MeterName = "MlOps.Monitoring.Drift";

    private readonly ConcurrentDictionary<string, DriftReport> _newest = new(StringComparer.Ordinal);
    private readonly Counter<long> _checks;

    public DriftMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("mlops.feature.drift.score", ObserveFeatures, description: "Each feature's drift score in the model's newest check.");
        meter.CreateObservableGauge("mlops.prediction.drift.score", ObservePredictions, description: "The prediction's drift score in the model's newest check.");
        meter.CreateObservableGauge("mlops.dataset.drift.share", ObserveShares, description: "The share of drifted features in the model's newest check.");
        meter.CreateObservableGauge("mlops.dataset.drift", ObserveVerdicts, description: "1 when the model's newest check found dataset drift, else 0.");
        _checks = meter.CreateCounter<long>("mlops.drift.checks", description: "Drift checks run, by outcome.");
    }

    public void Checked(DriftReport report)
    {
        _newest[report.Model] = report;
        var outcome = report.DatasetDrift switch
        {
            true => "drift",
            false => "no_drift",
            null => "insufficient",
        };
        _checks.Add(1, new KeyValuePair<string, object?>("model", report.Model), new KeyValuePair<string, object?>("outcome", outcome));
    }

    private static double Score(FeatureDriftResult result) => result.PValue ?? result.Statistic;

    private IEnumerable<Measurement<double>> ObserveFeatures() =>
        _newest.Values.SelectMany(report => report.Features.Select(feature => new Measurement<double>(
            Score(feature),
            new KeyValuePair<string, object?>("model", report.Model),
            new KeyValuePair<string, object?>("feature", feature.Feature),
            new KeyValuePair<string, object?>("test", feature.Test))));

    private IEnumerable<Measurement<double>> ObservePredictions() =>
        _newest.Values.Where(report => report.PredictionDrift is not null).Select(report => new Measurement<double>(
            Score(report.PredictionDrift!),
            new KeyValuePair<string, object?>("model", report.Model),
            new KeyValuePair<string, object?>("test", report.PredictionDrift!.Test)));

    private IEnumerable<Measurement<double>> ObserveShares() =>
        _newest.Values.Where(report => report.DatasetDrift is not null).Select(report => new Measurement<double>(
            report.DriftedShare, new KeyValuePair<string, object?>("model", report.Model)));

    private IEnumerable<Measurement<int>> ObserveVerdicts() =>
        _newest.Values.Where(report => report.DatasetDrift is not null).Select(report => new Measurement<int>(
            report.DatasetDrift!.Value ? 1 : 0, new KeyValuePair<string, object?>("model", report.Model)));
}
