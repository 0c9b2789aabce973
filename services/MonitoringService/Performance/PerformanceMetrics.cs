using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MlOps.Contracts.Monitoring;

namespace MlOps.MonitoringService.Performance;

/// <summary>
/// The newest performance check of each model this replica ran, as gauges:
/// <c>mlops_model_performance{model,metric,source}</c> (<c>live</c> from feedback, <c>validation</c> from training)
/// and <c>mlops_model_decay{model}</c> (1 decayed, 0 not; absent without a verdict); and
/// <c>mlops_performance_checks_total{model,outcome}</c> (<c>decay</c>, <c>no_decay</c>, <c>insufficient</c>).
/// </summary>
public sealed class PerformanceMetrics
{
    public const string MeterName = "MlOps.Monitoring.Performance";

    private readonly ConcurrentDictionary<string, PerformanceReport> _newest = new(StringComparer.Ordinal);
    private readonly Counter<long> _checks;

    public PerformanceMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("mlops.model.performance", Observe, description: "The model's metrics in its newest performance check: live and validation.");
        meter.CreateObservableGauge("mlops.model.decay", ObserveVerdicts, description: "1 when the model's newest performance check found decay, else 0.");
        _checks = meter.CreateCounter<long>("mlops.performance.checks", description: "Performance checks run, by outcome.");
    }

    public void Checked(PerformanceReport report)
    {
        _newest[report.Model] = report;
        var outcome = report.Decay switch
        {
            true => "decay",
            false => "no_decay",
            null => "insufficient",
        };
        _checks.Add(1, new KeyValuePair<string, object?>("model", report.Model), new KeyValuePair<string, object?>("outcome", outcome));
    }

    private IEnumerable<Measurement<double>> Observe() =>
        _newest.Values.SelectMany(report =>
            Series(report, report.Live, "live").Concat(Series(report, report.Validation, "validation")));

    private static IEnumerable<Measurement<double>> Series(PerformanceReport report, IReadOnlyDictionary<string, double> metrics, string source) =>
        metrics.Where(metric => double.IsFinite(metric.Value)).Select(metric => new Measurement<double>(
            metric.Value,
            new KeyValuePair<string, object?>("model", report.Model),
            new KeyValuePair<string, object?>("metric", metric.Key),
            new KeyValuePair<string, object?>("source", source)));

    private IEnumerable<Measurement<int>> ObserveVerdicts() =>
        _newest.Values.Where(report => report.Decay is not null).Select(report => new Measurement<int>(
            report.Decay!.Value ? 1 : 0, new KeyValuePair<string, object?>("model", report.Model)));
}
