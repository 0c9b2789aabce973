using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace MlOps.ServiceDefaults.Telemetry;

/// <summary>
/// The metric view of one app. Meters are process-wide and the OpenTelemetry SDK subscribes to them by name, so in a
/// process that hosts more than one app (the tests do) each app's <c>/metrics</c> would also read the instruments the
/// other apps created from their own <see cref="IMeterFactory"/>: a counter would add both apps' counts, an
/// observable one would show whichever app registered first. Those instruments are dropped; the app's own and the
/// process-wide ones (runtime, Npgsql) get <see cref="PrometheusNames.Lint"/>. It is one view because a stream one
/// view drops, a second view would add back.
/// </summary>
public sealed class AppMeterView(IMeterFactory appMeters)
{
    public MetricStreamConfiguration? Select(Instrument instrument) =>
        instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, appMeters)
            ? MetricStreamConfiguration.Drop
            : PrometheusNames.Lint(instrument);
}
