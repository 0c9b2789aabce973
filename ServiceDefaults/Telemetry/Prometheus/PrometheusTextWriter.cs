using System.Globalization;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace MlOps.ServiceDefaults.Telemetry.Prometheus;

/// <summary>
/// Renders OpenTelemetry metrics in the Prometheus text exposition format 0.0.4, following OpenTelemetry's
/// Prometheus compatibility rules: dots become underscores, the unit is appended in words (<c>s</c> → <c>_seconds</c>,
/// <c>By</c> → <c>_bytes</c>), monotonic sums are counters ending in <c>_total</c>, up-down sums are gauges, and
/// explicit-bucket histograms give cumulative <c>_bucket</c> series with <c>+Inf</c>, <c>_sum</c> and <c>_count</c>.
/// Every family gets HELP and TYPE lines once, even when several instruments share a name. A gauge whose name would
/// end in a suffix Prometheus reserves for other types (<c>_count</c>, <c>_sum</c>, <c>_bucket</c>, <c>_total</c>), such
/// as the runtime's <c>dotnet.process.cpu.count</c>, gets <c>_value</c> appended, so <c>promtool check metrics</c> passes.
/// </summary>
internal sealed class PrometheusTextWriter
{
    private readonly StringBuilder _text = new(16 * 1024);
    private readonly Dictionary<string, string> _familyTypes = new(StringComparer.Ordinal);

    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    public void Write(Metric metric)
    {
        var type = metric.MetricType switch
        {
            MetricType.LongSum or MetricType.DoubleSum => "counter",
            MetricType.LongSumNonMonotonic or MetricType.DoubleSumNonMonotonic => "gauge",
            MetricType.LongGauge or MetricType.DoubleGauge => "gauge",
            MetricType.Histogram => "histogram",
            _ => null,
        };
        if (type is null)
        {
            return;
        }

        var name = FamilyName(metric.Name, metric.Unit, type);
        if (_familyTypes.TryGetValue(name, out var existingType))
        {
            // A second instrument with the same name: merge its series only if the types agree.
            if (existingType != type)
            {
                return;
            }
        }
        else
        {
            var points = metric.GetMetricPoints().GetEnumerator();
            if (!points.MoveNext())
            {
                return;
            }

            _familyTypes[name] = type;
            var help = string.IsNullOrWhiteSpace(metric.Description) ? metric.Name : metric.Description;
            _text.Append("# HELP ").Append(name).Append(' ');
            AppendEscaped(help, escapeQuotes: false);
            _text.Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        }

        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            switch (metric.MetricType)
            {
                case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                    AppendSample(name, string.Empty, point.Tags, null, point.GetSumLong());
                    break;
                case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                    AppendSample(name, string.Empty, point.Tags, null, point.GetSumDouble());
                    break;
                case MetricType.LongGauge:
                    AppendSample(name, string.Empty, point.Tags, null, point.GetGaugeLastValueLong());
                    break;
                case MetricType.DoubleGauge:
                    AppendSample(name, string.Empty, point.Tags, null, point.GetGaugeLastValueDouble());
                    break;
                case MetricType.Histogram:
                    long cumulative = 0;
                    foreach (var bucket in point.GetHistogramBuckets())
                    {
                        cumulative += bucket.BucketCount;
                        AppendSample(name, "_bucket", point.Tags, bucket.ExplicitBound, cumulative);
                    }

                    AppendSample(name, "_sum", point.Tags, null, point.GetHistogramSum());
                    AppendSample(name, "_count", point.Tags, null, point.GetHistogramCount());
                    break;
            }
        }
    }

    /// <summary>The family name: sanitized, with the unit appended, and <c>_total</c> last for counters.</summary>
    internal static string FamilyName(string instrumentName, string? unit, string type)
    {
        var name = Sanitize(instrumentName);
        if (name.EndsWith("_total", StringComparison.Ordinal) && type == "counter")
        {
            name = name[..^"_total".Length];
        }

        var unitSuffix = UnitSuffix(unit, type);
        if (unitSuffix.Length > 0 && !name.EndsWith("_" + unitSuffix, StringComparison.Ordinal))
        {
            name = name + "_" + unitSuffix;
        }

        if (type == "counter")
        {
            return name + "_total";
        }

        return type == "gauge" && ReservedSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal))
            ? name + "_value"
            : name;
    }

    private static readonly string[] ReservedSuffixes = ["_count", "_sum", "_bucket", "_total"];

    internal static string UnitSuffix(string? unit, string type)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return string.Empty;
        }

        // Annotations in braces ({request}, {connection}) carry no unit.
        var bare = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}')
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (depth == 0)
            {
                bare.Append(c);
            }
        }

        var text = bare.ToString().Trim();
        if (text.Length == 0)
        {
            return string.Empty;
        }

        if (text == "1")
        {
            return type == "gauge" ? "ratio" : string.Empty;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var per = UnitWord(text[(slash + 1)..], perUnit: true);
            var main = UnitWord(text[..slash], perUnit: false);
            return Sanitize(main.Length == 0 ? "per_" + per : main + "_per_" + per);
        }

        return Sanitize(UnitWord(text, perUnit: false));
    }

    private static string UnitWord(string unit, bool perUnit) => unit switch
    {
        "d" => perUnit ? "day" : "days",
        "h" => perUnit ? "hour" : "hours",
        "min" => perUnit ? "minute" : "minutes",
        "s" => perUnit ? "second" : "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "GiBy" => "gibibytes",
        "KBy" => "kilobytes",
        "MBy" => "megabytes",
        "GBy" => "gigabytes",
        "bit" => "bits",
        "%" => "percent",
        "Hz" => "hertz",
        "V" => "volts",
        "A" => "amperes",
        "J" => "joules",
        "W" => "watts",
        "g" => "grams",
        "Cel" => "celsius",
        "m" => perUnit ? "meter" : "meters",
        _ => unit,
    };

    /// <summary>Metric and label names: <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>, with runs of other characters as one underscore.</summary>
    internal static string Sanitize(string name)
    {
        var result = new StringBuilder(name.Length + 1);
        var lastWasUnderscore = false;
        foreach (var c in name)
        {
            var valid = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or ':' or '_';
            if (valid && c != '_')
            {
                result.Append(c);
                lastWasUnderscore = false;
            }
            else if (!lastWasUnderscore)
            {
                result.Append('_');
                lastWasUnderscore = true;
            }
        }

        if (result.Length > 0 && char.IsAsciiDigit(result[0]))
        {
            result.Insert(0, '_');
        }

        return result.ToString();
    }

    private void AppendSample(string name, string suffix, ReadOnlyTagCollection tags, double? le, double value)
    {
        AppendSeries(name, suffix, tags, le);
        _text.Append(FormatValue(value)).Append('\n');
    }

    private void AppendSample(string name, string suffix, ReadOnlyTagCollection tags, double? le, long value)
    {
        AppendSeries(name, suffix, tags, le);
        _text.Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private void AppendSeries(string name, string suffix, ReadOnlyTagCollection tags, double? le)
    {
        _text.Append(name).Append(suffix);
        var first = true;
        foreach (var tag in tags)
        {
            _text.Append(first ? '{' : ',');
            first = false;
            _text.Append(Sanitize(tag.Key)).Append("=\"");
            AppendEscaped(Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty, escapeQuotes: true);
            _text.Append('"');
        }

        if (le is { } bound)
        {
            _text.Append(first ? '{' : ',').Append("le=\"").Append(FormatValue(bound)).Append('"');
            first = false;
        }

        _text.Append(first ? " " : "} ");
    }

    internal static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private void AppendEscaped(string value, bool escapeQuotes)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    _text.Append(@"\\");
                    break;
                case '\n':
                    _text.Append(@"\n");
                    break;
                case '"' when escapeQuotes:
                    _text.Append("\\\"");
                    break;
                default:
                    _text.Append(c);
                    break;
            }
        }
    }
}
