using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace MlOps.ServiceDefaults.Telemetry;

/// <summary>
/// A metric view that keeps every <c>/metrics</c> exposition clean for <c>promtool check metrics</c>:
/// <list type="bullet">
/// <item>Prometheus reserves <c>_count</c>, <c>_sum</c> and <c>_bucket</c> for histogram and summary series, yet the
/// runtime names gauges such as <c>dotnet.process.cpu.count</c>: those gauges get <c>.value</c> appended
/// (<c>dotnet_process_cpu_count_value</c>);</item>
/// <item>an instrument without a description (Entity Framework Core's) would have no HELP line: it gets its name;</item>
/// <item>Polly's duration histograms are in milliseconds, which Prometheus' base units forbid: they are dropped (its
/// events counter, which shows retries, timeouts and a circuit opening, stays).</item>
/// </list>
/// Every other instrument is left as the exporter names it.
/// </summary>
public static class PrometheusNames
{
    private static readonly string[] ReservedSuffixes = [".count", ".sum", ".bucket"];

    public static MetricStreamConfiguration? Lint(Instrument instrument)
    {
        if (instrument.Meter.Name == "Polly" && instrument.Unit == "ms")
        {
            return MetricStreamConfiguration.Drop;
        }

        var name = IsExportedAsGauge(instrument) && HasReservedSuffix(instrument.Name) ? instrument.Name + ".value" : null;
        var description = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : null;
        return name is null && description is null
            ? null
            : new MetricStreamConfiguration { Name = name, Description = description };
    }

    private static bool HasReservedSuffix(string name)
    {
        foreach (var suffix in ReservedSuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Up-down counters and gauges; counters become <c>_total</c> series and histograms own the suffixes.</summary>
    private static bool IsExportedAsGauge(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return false;
        }

        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(UpDownCounter<>)
            || definition == typeof(ObservableUpDownCounter<>)
            || definition == typeof(ObservableGauge<>)
            || definition == typeof(Gauge<>);
    }
}
