using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using MlOps.Contracts.Datasets;
using MlOps.Contracts.Monitoring;
using MlOps.Contracts.Registry;
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
            if (Column.For(column, reference.FeatureSamples, reference.ImageSketches, reference.Features.Rows, out var reason) is { } accumulator)
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
            _prediction = Column.For(profile, reference.PredictionSamples, sketches: null, reference.Predictions.Rows, out _);
        }
    }

    /// <summary>Predictions of the version added so far.</summary>
    public long Predictions { get; private set; }

    /// <summary>Predictions of other versions seen in the window, not compared.</summary>
    public long OtherVersions { get; private set; }

    /// <summary>
    /// The first <paramref name="maxLines"/> lines of serving's export (NDJSON) that are not empty; answers how many
    /// were read.
    /// </summary>
    public int AddLines(ReadOnlySpan<byte> ndjson, int maxLines)
    {
        var added = 0;
        while (added < maxLines && !ndjson.IsEmpty)
        {
            var end = ndjson.IndexOf((byte)'\n');
            var line = end < 0 ? ndjson : ndjson[..end];
            ndjson = end < 0 ? default : ndjson[(end + 1)..];
            if (!line.IsEmpty)
            {
                AddLine(line);
                added++;
            }
        }

        return added;
    }

    /// <summary>
    /// One line of serving's export (<c>version</c>, <c>inputs</c>, <c>output</c>; other fields skipped), read token by
    /// token in place: no document, no string per feature name or value.
    /// </summary>
    /// <exception cref="JsonException">The line is not a JSON object.</exception>
    public void AddLine(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A line of the inference log is not a JSON object.");
        }

        int? version = null;
        (int Start, int Length)? inputs = null, output = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("version"u8))
            {
                reader.Read();
                version = reader.GetInt32();
                if (version != _reference.Version)
                {
                    OtherVersions++;
                    return;
                }

                continue;
            }

            var isInputs = reader.ValueTextEquals("inputs"u8);
            var isOutput = !isInputs && reader.ValueTextEquals("output"u8);
            reader.Read();
            if (version is null && (isInputs || isOutput))
            {
                // Serving writes the version first; should it not, the object is read once the version is known.
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var span = (start, (int)reader.BytesConsumed - start);
                _ = isInputs ? inputs = span : output = span;
            }
            else if (isInputs)
            {
                ReadInputs(ref reader);
            }
            else if (isOutput)
            {
                ReadOutput(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        if (version != _reference.Version)
        {
            OtherVersions++;
            return;
        }

        Predictions++;
        if (inputs is { } inputsSpan)
        {
            var nested = new Utf8JsonReader(line.Slice(inputsSpan.Start, inputsSpan.Length));
            nested.Read();
            ReadInputs(ref nested);
        }

        if (output is { } outputSpan)
        {
            var nested = new Utf8JsonReader(line.Slice(outputSpan.Start, outputSpan.Length));
            nested.Read();
            ReadOutput(ref nested);
        }
    }

    /// <summary>The instance's features, the reader on its <c>{</c>; left on its <c>}</c>.</summary>
    private void ReadInputs(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        // Lines list features in the same order, mostly: the search starts after the previous match.
        var next = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            Column? column = null;
            for (var tried = 0; tried < _inputs.Length; tried++)
            {
                var candidate = (next + tried) % _inputs.Length;
                if (reader.ValueTextEquals(_inputs[candidate].Name))
                {
                    column = _inputs[candidate].Column;
                    next = candidate + 1;
                    break;
                }
            }

            reader.Read();
            if (column is null)
            {
                reader.Skip();
            }
            else
            {
                column.Add(ref reader);
            }
        }
    }

    /// <summary>
    /// The prediction the window compares: a binary model's probability of its second class, a regression's value,
    /// else the label. The reader on the output's <c>{</c>; left on its <c>}</c>.
    /// </summary>
    private void ReadOutput(ref Utf8JsonReader reader)
    {
        if (_prediction is null || reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var wanted = _positiveClass is not null ? reader.ValueTextEquals("probabilities"u8)
                : _prediction is NumericValues ? reader.ValueTextEquals("value"u8)
                : reader.ValueTextEquals("label"u8);
            reader.Read();
            if (!wanted)
            {
                reader.Skip();
            }
            else if (_positiveClass is null)
            {
                _prediction.Add(ref reader);
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var positive = reader.ValueTextEquals(_positiveClass);
                    reader.Read();
                    if (positive)
                    {
                        _prediction.Add(ref reader);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }
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
            // Each test sorts or counts its own feature's values: they run side by side on every core.
            var columns = _columns.ToArray();
            var results = new FeatureDriftResult?[columns.Length];
            Parallel.For(0, columns.Length, i => results[i] = columns[i].Value.Test(columns[i].Key, thresholds));
            for (var i = 0; i < columns.Length; i++)
            {
                if (results[i] is { } result)
                {
                    features.Add(result);
                }
                else
                {
                    skipped.Add(new SkippedFeature(columns[i].Key, "no values in the window"));
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

        public static Column? For(
            ColumnProfile profile,
            IReadOnlyDictionary<string, double[]>? samples,
            IReadOnlyDictionary<string, float[][]>? sketches,
            long rows,
            out string? reason)
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
                case "image" when sketches?.TryGetValue(profile.Name, out var pictures) == true && pictures.Length >= EmbeddingDrift.MinimumVectors:
                    return new PictureSketches(pictures);
                case "image":
                    reason = "the reference profile keeps too few sketches of its pictures (a version registered before they were kept)";
                    return null;
                default:
                    reason = $"{profile.Type} features are not tested for drift";
                    return null;
            }
        }

        /// <summary>The value the reader is on; anything else than what the column counts is left out.</summary>
        public abstract void Add(ref Utf8JsonReader value);

        public abstract FeatureDriftResult? Test(string feature, DriftThresholds thresholds);

        protected FeatureDriftResult Result(FeatureDrift drift, long values) =>
            new(drift.Feature, Type, drift.Test, drift.Statistic, drift.PValue, drift.Threshold, drift.Drifted, values);
    }

    private sealed class NumericValues(double[] reference, long referenceRows) : Column("numeric")
    {
        private readonly List<double> _current = [];

        public override void Add(ref Utf8JsonReader value)
        {
            if (value.TokenType == JsonTokenType.Number && value.TryGetDouble(out var number) && double.IsFinite(number))
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
    /// Pictures, as the sketches the inference log keeps (<c>{"sha256", "bytes", "sketch": […]}</c>), compared with the
    /// reference profile's by a domain classifier (<see cref="EmbeddingDrift"/>).
    /// </summary>
    private sealed class PictureSketches(float[][] reference) : Column("image")
    {
        private readonly List<float[]> _current = [];

        public override void Add(ref Utf8JsonReader value)
        {
            if (value.TokenType != JsonTokenType.StartObject)
            {
                value.Skip();
                return;
            }

            while (value.Read() && value.TokenType == JsonTokenType.PropertyName)
            {
                var isSketch = value.ValueTextEquals("sketch"u8);
                value.Read();
                if (!isSketch || value.TokenType != JsonTokenType.StartArray)
                {
                    value.Skip();
                    continue;
                }

                var sketch = new List<float>(reference[0].Length);
                while (value.Read() && value.TokenType == JsonTokenType.Number)
                {
                    sketch.Add(value.GetSingle());
                }

                if (sketch.Count == reference[0].Length)
                {
                    _current.Add([.. sketch]);
                }
            }
        }

        public override FeatureDriftResult? Test(string feature, DriftThresholds thresholds) =>
            _current.Count < EmbeddingDrift.MinimumVectors
                ? null
                : Result(EmbeddingDrift.DomainClassifier(feature, reference, _current, thresholds.DomainClassifierAuc), _current.Count);
    }

    /// <summary>
    /// Counts by value. When the reference profile kept only its most frequent values, the rest of both sides are
    /// counted together as <see cref="OtherValues"/>; when it kept every value, a value it never had stays apart
    /// (and makes the feature drift).
    /// </summary>
    private sealed class CategoryCounts : Column
    {
        private readonly Dictionary<string, long> _reference;
        private readonly long _other;

        // The reference's values, as text and as UTF-8, counted in place; values beyond them go to a dictionary (or,
        // when the reference kept only its most frequent values, to "other").
        private readonly string[] _known;
        private readonly byte[][] _knownUtf8;
        private readonly long[] _knownCounts;
        private readonly Dictionary<string, long> _unknown = new(StringComparer.Ordinal);
        private long _values;

        public CategoryCounts(string type, Dictionary<string, long> reference, long other)
            : base(type)
        {
            _reference = reference;
            _other = other;
            _known = [.. reference.Keys];
            _knownUtf8 = _known.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();
            _knownCounts = new long[_known.Length];
        }

        public override void Add(ref Utf8JsonReader value)
        {
            switch (value.TokenType)
            {
                case JsonTokenType.String:
                    for (var i = 0; i < _knownUtf8.Length; i++)
                    {
                        if (value.ValueTextEquals(_knownUtf8[i]))
                        {
                            _knownCounts[i]++;
                            _values++;
                            return;
                        }
                    }

                    CountUnknown(value.GetString()!);
                    return;
                case JsonTokenType.True:
                    Count("true");
                    return;
                case JsonTokenType.False:
                    Count("false");
                    return;
                case JsonTokenType.Number:
                    Count(System.Text.Encoding.UTF8.GetString(value.HasValueSequence ? value.ValueSequence.ToArray() : value.ValueSpan));
                    return;
            }
        }

        private void Count(string key)
        {
            var known = Array.IndexOf(_known, key);
            if (known < 0)
            {
                CountUnknown(key);
                return;
            }

            _knownCounts[known]++;
            _values++;
        }

        private void CountUnknown(string key)
        {
            key = _other > 0 ? OtherValues : key;
            _unknown[key] = _unknown.GetValueOrDefault(key) + 1;
            _values++;
        }

        public override FeatureDriftResult? Test(string feature, DriftThresholds thresholds)
        {
            if (_values == 0)
            {
                return null;
            }

            var current = new Dictionary<string, long>(_unknown, StringComparer.Ordinal);
            for (var i = 0; i < _known.Length; i++)
            {
                if (_knownCounts[i] > 0)
                {
                    current[_known[i]] = _knownCounts[i];
                }
            }

            var counts = _other > 0 ? new Dictionary<string, long>(_reference) { [OtherValues] = _other } : _reference;
            return Result(DriftDetector.Categorical(feature, counts, current, thresholds), _values);
        }
    }
}
