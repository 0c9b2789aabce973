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
    private readonly (byte[] Name, Column Column)[] _inputs;

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

        _inputs = _columns.Select(c => (System.Text.Encoding.UTF8.GetBytes(c.Key), c.Value)).ToArray();

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

    public void Add(InferenceLogEntry entry) => Add(entry.Version, entry.Inputs, entry.Output);

    /// <summary>One line of serving's export as it was read (<c>version</c>, <c>inputs</c>, <c>output</c>), without copying it.</summary>
    public void AddLine(JsonElement line) =>
        Add(line.GetProperty("version"u8).GetInt32(), line.GetProperty("inputs"u8), line.GetProperty("output"u8));

    private void Add(int version, JsonElement inputs, JsonElement output)
    {
        if (version != _reference.Version)
        {
            OtherVersions++;
            return;
        }

        Predictions++;
        if (inputs.ValueKind == JsonValueKind.Object)
        {
            // Looked up by UTF-8 name: reading a property's name as a string would allocate one per feature per line.
            foreach (var (name, column) in _inputs)
            {
                if (inputs.TryGetProperty(name, out var value))
                {
                    column.Add(value);
                }
            }
        }

        if (_prediction is not null && output.ValueKind == JsonValueKind.Object)
        {
            var predicted = _positiveClass is not null
                ? output.TryGetProperty("probabilities"u8, out var probabilities) && probabilities.TryGetProperty(_positiveClass, out var probability) ? probability : default
                : output.TryGetProperty("value"u8, out var value) ? value
                : output.TryGetProperty("label"u8, out var label) ? label : default;
            _prediction.Add(predicted);
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
