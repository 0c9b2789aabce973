using System.Runtime.InteropServices;
using System.Text.Json;
using MlOps.Contracts.Datasets;
using MlOps.Contracts.Monitoring;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Serving;
using MlOps.Learning.Drift;

namespace MlOps.MonitoringService.Drift;

/// <summary>
/// Gathers a window of one model version's logged predictions, feature by feature, and compares it with the version's
/// reference profile. Numeric features are compared with the profile's value sample, categorical and boolean ones with
/// its value counts. Predictions of other versions in the window are counted apart and not compared. Text features
/// are not tested yet.
/// </summary>
public sealed class DriftWindow
{
    /// <summary>The bucket for the values of a categorical feature beyond the reference profile's most frequent ones.</summary>
    public const string OtherValues = "(other)";

    private readonly ReferenceProfile _reference;
    private readonly string? _positiveClass;
    private readonly Dictionary<string, Column> _columns = new(StringComparer.Ordinal);
    private readonly List<SkippedFeature> _skipped = [];
    private readonly Column? _prediction;

    /// <param name="reference">The version's reference profile, with its value samples.</param>
    /// <param name="classes">The version's classes in the model's order (empty for a regression).</param>
    public DriftWindow(ReferenceProfile reference, IReadOnlyList<string> classes)
    {
        _reference = reference;
        foreach (var column in reference.Features.Columns)
        {
            if (Column.For(column, reference.FeatureSamples, reference.Features.Rows, out var reason) is { } accumulator)
            {
                _columns[column.Name] = accumulator;
            }
            else
            {
                _skipped.Add(new SkippedFeature(column.Name, reason!));
            }
        }

        // Prediction drift: a regression's value, a binary model's probability of its second class, else the label.
        _positiveClass = classes.Count == 2 ? classes[1] : null;
        var predictionColumn = _positiveClass is not null ? "probability" : "prediction";
        if (reference.Predictions.Columns.FirstOrDefault(c => c.Name == predictionColumn) is { } profile)
        {
            _prediction = Column.For(profile, reference.PredictionSamples, reference.Predictions.Rows, out _);
        }
    }

    /// <summary>Predictions of the version added so far.</summary>
    public long Predictions { get; private set; }

    /// <summary>Predictions of other versions seen in the window, not compared.</summary>
    public long OtherVersions { get; private set; }

    public void Add(InferenceLogEntry entry)
    {
        if (entry.Version != _reference.Version)
        {
            OtherVersions++;
            return;
        }

        Predictions++;
        if (entry.Inputs.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in entry.Inputs.EnumerateObject())
            {
                if (_columns.TryGetValue(property.Name, out var column))
                {
                    column.Add(property.Value);
                }
            }
        }

        if (_prediction is not null && entry.Output.ValueKind == JsonValueKind.Object)
        {
            var output = _positiveClass is not null
                ? entry.Output.TryGetProperty("probabilities", out var probabilities) && probabilities.TryGetProperty(_positiveClass, out var probability) ? probability : default
                : entry.Output.TryGetProperty("value", out var value) ? value
                : entry.Output.TryGetProperty("label", out var label) ? label : default;
            _prediction.Add(output);
        }
    }

    /// <summary>The report: each testable feature's verdict, the prediction's, and the dataset's by the policy's share.</summary>
    public DriftReport Report(
        DriftThresholds thresholds, double driftShare, long minPredictions, DateTimeOffset? windowStart, DateTimeOffset? windowEnd)
    {
        var skipped = new List<SkippedFeature>(_skipped);
        var features = new List<FeatureDriftResult>();
        if (Predictions >= minPredictions)
        {
            foreach (var (name, column) in _columns)
            {
                if (column.Test(name, thresholds) is { } result)
                {
                    features.Add(result);
                }
                else
                {
                    skipped.Add(new SkippedFeature(name, "no values in the window"));
                }
            }
        }

        features.Sort((a, b) => string.CompareOrdinal(a.Feature, b.Feature));
        var prediction = Predictions >= minPredictions ? _prediction?.Test("prediction", thresholds) : null;
        if (features.Count == 0)
        {
            var note = Predictions < minPredictions
                ? $"The window holds {Predictions} predictions of version {_reference.Version}; the policy needs at least {minPredictions}."
                : "No feature could be tested.";
            return new DriftReport(
                _reference.Model, _reference.Version, windowStart, windowEnd, Predictions, null, 0, 0, driftShare, [], prediction, skipped, note);
        }

        var dataset = DriftDetector.Dataset(
            features.Select(f => new FeatureDrift(f.Feature, f.Test, f.Statistic, f.PValue, f.Threshold, f.Drifted)).ToArray(), driftShare);
        return new DriftReport(
            _reference.Model, _reference.Version, windowStart, windowEnd, Predictions, dataset.Drifted, dataset.DriftedFeatures,
            dataset.DriftedShare, driftShare, features, prediction, skipped,
            OtherVersions > 0 ? $"{OtherVersions} predictions of other versions in the window were not compared." : null);
    }

    /// <summary>One feature's reference and the window's values of it.</summary>
    private abstract class Column(string type)
    {
        public string Type { get; } = type;

        public static Column? For(ColumnProfile profile, IReadOnlyDictionary<string, double[]>? samples, long rows, out string? reason)
        {
            reason = null;
            var present = rows - profile.Missing;
            switch (profile.Type)
            {
                case "numeric" when samples?.TryGetValue(profile.Name, out var sample) == true && sample.Length > 0:
                    return new NumericValues(sample, present);
                case "numeric":
                    reason = "the reference profile keeps no sample of its values (a version registered before samples were kept)";
                    return null;
                case "boolean" when profile.Boolean is { } counts:
                    return new CategoryCounts("boolean", new() { ["false"] = counts.False, ["true"] = counts.True }, other: 0);
                case "categorical" when profile.TopValues is { Count: > 0 } top:
                    var reference = new Dictionary<string, long>(StringComparer.Ordinal);
                    foreach (var value in top)
                    {
                        reference[value.Value] = value.Count;
                    }

                    return new CategoryCounts("categorical", reference, present - top.Sum(v => v.Count));
                default:
                    reason = $"{profile.Type} features are not tested for drift";
                    return null;
            }
        }

        public abstract void Add(JsonElement value);

        public abstract FeatureDriftResult? Test(string feature, DriftThresholds thresholds);

        protected FeatureDriftResult Result(FeatureDrift drift, long values) =>
            new(drift.Feature, Type, drift.Test, drift.Statistic, drift.PValue, drift.Threshold, drift.Drifted, values);
    }

    private sealed class NumericValues(double[] reference, long referenceRows) : Column("numeric")
    {
        private readonly List<double> _current = [];

        public override void Add(JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number))
            {
                _current.Add(number);
            }
        }

        public override FeatureDriftResult? Test(string feature, DriftThresholds thresholds) =>
            _current.Count == 0
                ? null
                : Result(DriftDetector.Numeric(feature, reference, Math.Max(referenceRows, reference.Length), CollectionsMarshal.AsSpan(_current), thresholds), _current.Count);
    }

    /// <summary>
    /// Counts by value. When the reference profile kept only its most frequent values, the rest of both sides are
    /// counted together as <see cref="OtherValues"/>; when it kept every value, a value it never had stays apart
    /// (and makes the feature drift).
    /// </summary>
    private sealed class CategoryCounts(string type, Dictionary<string, long> reference, long other) : Column(type)
    {
        private readonly Dictionary<string, long> _current = new(StringComparer.Ordinal);
        private long _values;

        public override void Add(JsonElement value)
        {
            var key = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            };
            if (key is null)
            {
                return;
            }

            if (other > 0 && !reference.ContainsKey(key))
            {
                key = OtherValues;
            }

            _current[key] = _current.GetValueOrDefault(key) + 1;
            _values++;
        }

        public override FeatureDriftResult? Test(string feature, DriftThresholds thresholds)
        {
            if (_values == 0)
            {
                return null;
            }

            var counts = other > 0 ? new Dictionary<string, long>(reference) { [OtherValues] = other } : reference;
            return Result(DriftDetector.Categorical(feature, counts, _current, thresholds), _values);
        }
    }
}
