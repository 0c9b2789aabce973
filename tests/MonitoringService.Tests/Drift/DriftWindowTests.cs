using System.Text.Json;
using System.Text.Json.Nodes;
using MlOps.Contracts.Datasets;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Serving;
using MlOps.Learning.Data;
using MlOps.Learning.Drift;
using MlOps.Learning.Generators;
using MlOps.Learning.Profiling;
using MlOps.MonitoringService.Drift;

namespace MlOps.MonitoringService.Tests.Drift;

/// <summary>
/// Drift windows over the cart-abandonment generator: a reference profiled from 5,000 rows as the trainer profiles it,
/// and windows of predictions whose inputs are generated rows, with and without the generator's drift.
/// </summary>
public sealed class DriftWindowTests
{
    private static readonly DriftThresholds Defaults = new();

    [Fact]
    public async Task A_window_from_the_training_distribution_shows_no_drift_on_any_feature()
    {
        var window = new DriftWindow(await ReferenceAsync(), classes: []);
        await AddAsync(window, new GeneratorRequest(3000, Seed: 2));

        var report = window.Report(Defaults, driftShare: 0.5, minPredictions: 100, null, null);

        Assert.Equal(3000, report.Predictions);
        Assert.False(report.DatasetDrift);
        Assert.Equal(7, report.Features.Count);
        Assert.DoesNotContain(report.Features, f => f.Drifted);
        // 5,000 reference rows: distances, as Evidently chooses them.
        Assert.All(report.Features, f => Assert.True(f.Test is "wasserstein" or "jensenshannon", f.Test));
        Assert.Equal(
            ["boolean", "boolean", "categorical", "numeric", "numeric", "numeric", "numeric"],
            report.Features.Select(f => f.Type).Order(StringComparer.Ordinal));
        Assert.All(report.Features, f => Assert.Equal(3000, f.CurrentValues));
    }

    [Fact]
    public async Task Drift_is_found_on_exactly_the_shifted_features_and_the_share_decides_the_dataset()
    {
        var drift = new Dictionary<string, DriftSpec>
        {
            ["cart_value"] = new(MeanShift: 1),
            ["time_of_day"] = new(CategoryMix: new Dictionary<string, double> { ["night"] = 0.7, ["morning"] = 0.3 }),
        };
        var window = new DriftWindow(await ReferenceAsync(), classes: []);
        await AddAsync(window, new GeneratorRequest(3000, Seed: 3, drift));

        var report = window.Report(Defaults, driftShare: 0.5, minPredictions: 100, null, null);
        var lenient = window.Report(Defaults, driftShare: 0.25, minPredictions: 100, null, null);

        Assert.Equal(["cart_value", "time_of_day"], report.Features.Where(f => f.Drifted).Select(f => f.Feature));
        Assert.Equal((2, 2.0 / 7), (report.DriftedFeatures, report.DriftedShare));
        Assert.False(report.DatasetDrift);
        Assert.True(lenient.DatasetDrift);
    }

    [Fact]
    public async Task A_small_reference_is_tested_with_p_values()
    {
        var window = new DriftWindow(await ReferenceAsync(rows: 800), classes: []);
        await AddAsync(window, new GeneratorRequest(1000, Seed: 4, new Dictionary<string, DriftSpec> { ["session_duration"] = new(MeanShift: 1) }));

        var report = window.Report(Defaults, driftShare: 0.5, minPredictions: 100, null, null);

        var tests = report.Features.ToDictionary(f => f.Feature, f => f.Test);
        Assert.Equal("ks", tests["session_duration"]);
        Assert.Equal("chisquare", tests["time_of_day"]);
        Assert.Equal("z", tests["device_mobile"]);
        Assert.True(report.Features.Single(f => f.Feature == "session_duration").Drifted);
        Assert.All(report.Features, f => Assert.NotNull(f.PValue));
    }

    [Fact]
    public async Task Too_few_predictions_give_no_verdict_and_other_versions_are_not_compared()
    {
        var reference = await ReferenceAsync();
        var window = new DriftWindow(reference, classes: []);
        await AddAsync(window, new GeneratorRequest(50, Seed: 5));
        window.AddLine(Line(reference.Version + 1, new JsonObject { ["cart_value"] = 1e9 }, new JsonObject { ["value"] = 1 }));

        var report = window.Report(Defaults, driftShare: 0.5, minPredictions: 100, null, null);

        Assert.Null(report.DatasetDrift);
        Assert.Empty(report.Features);
        Assert.Contains("at least 100", report.Note, StringComparison.Ordinal);
        Assert.Equal((50, 1), (window.Predictions, window.OtherVersions));
    }

    [Fact]
    public void A_regression_prediction_is_compared_with_its_sample_and_untestable_features_are_listed()
    {
        var features = new DatasetProfile(2000,
        [
            Column("amount", "numeric"),
            Column("comment", "text"),
            Column("legacy", "numeric"),
        ]);
        var predictions = new DatasetProfile(400, [Column("prediction", "numeric")]);
        var reference = new ReferenceProfile(
            "wine", 3, features, predictions,
            FeatureSamples: new Dictionary<string, double[]> { ["amount"] = Series(2000, 10) },
            PredictionSamples: new Dictionary<string, double[]> { ["prediction"] = Series(400, 50) });
        var window = new DriftWindow(reference, classes: []);
        for (var i = 0; i < 500; i++)
        {
            window.AddLine(Line(3, new JsonObject { ["amount"] = 10 + (i % 7), ["comment"] = "fine" }, new JsonObject { ["value"] = 80 + (i % 5) }));
        }

        var report = window.Report(Defaults, driftShare: 0.5, minPredictions: 100, null, null);

        Assert.Equal(("prediction", "ks", true), (report.PredictionDrift!.Feature, report.PredictionDrift.Test, report.PredictionDrift.Drifted));
        Assert.Equal(["comment", "legacy"], report.Skipped.Select(s => s.Feature).Order(StringComparer.Ordinal));
        Assert.Contains("sample", report.Skipped.Single(s => s.Feature == "legacy").Reason, StringComparison.Ordinal);
        Assert.Equal("amount", Assert.Single(report.Features).Feature);
    }

    [Fact]
    public void A_binary_models_prediction_drift_is_its_probability_of_the_second_class()
    {
        var reference = new ReferenceProfile(
            "carts", 1, new DatasetProfile(10, []), new DatasetProfile(600, [Column("prediction", "categorical"), Column("probability", "numeric")]),
            PredictionSamples: new Dictionary<string, double[]> { ["probability"] = Series(600, 0.2, step: 0.001) });
        var window = new DriftWindow(reference, classes: ["false", "true"]);
        for (var i = 0; i < 200; i++)
        {
            var probability = 0.9 + (i % 10 * 0.005);
            window.AddLine(Line(1, new JsonObject(), new JsonObject
            {
                ["label"] = "true",
                ["probabilities"] = new JsonObject { ["false"] = 1 - probability, ["true"] = probability },
            }));
        }

        var prediction = window.Report(Defaults, driftShare: 0.5, minPredictions: 100, null, null).PredictionDrift!;

        Assert.Equal(("numeric", "ks", true, 200L), (prediction.Type, prediction.Test, prediction.Drifted, prediction.CurrentValues));
    }

    private static ColumnProfile Column(string name, string type) => new(name, type, 0, 10, false, null, null, null, null);

    private static double[] Series(int count, double start, double step = 0.01)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = start + ((i % 100) * step);
        }

        return values;
    }

    /// <summary>The reference profile the trainer would keep for a model trained on generated rows (seed 1).</summary>
    private static async Task<ReferenceProfile> ReferenceAsync(int rows = 5000)
    {
        var csv = await GeneratedRows.CsvAsync(new GeneratorRequest(rows, Seed: 1));
        var profile = CsvProfiler.Profile(new MemoryStream(csv));
        var table = CsvTableReader.Read(new MemoryStream(csv));
        var samples = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var column in table.Columns)
        {
            if (column is NumericColumn numeric && column.Name != GeneratedRows.Target)
            {
                samples[column.Name] = ValueSample.Draw(numeric, 2000, seed: 0);
            }
        }

        var features = profile with { Columns = profile.Columns.Where(c => c.Name != GeneratedRows.Target).ToArray() };
        return new ReferenceProfile("carts", 1, features, new DatasetProfile(0, []), samples);
    }

    /// <summary>Each generated row as a logged prediction of version 1.</summary>
    [Fact]
    public async Task Lines_are_read_up_to_the_window_in_any_field_order_and_other_versions_are_counted_apart()
    {
        var reference = await ReferenceAsync();
        var window = new DriftWindow(reference, classes: []);
        var same = new JsonObject { ["cart_value"] = 80.5, ["time_of_day"] = "evening", ["device_mobile"] = true };
        var ndjson = System.Text.Encoding.UTF8.GetBytes(string.Join('\n',
            System.Text.Encoding.UTF8.GetString(Line(1, same, new JsonObject { ["label"] = "false" })),
            "",
            // The version after the inputs, and unknown fields of every shape.
            """{"inputs":{"cart_value":81.5,"extra":{"a":[1,2]},"time_of_day":"evening"},"output":{"label":"true"},"note":[{}],"version":1}""",
            System.Text.Encoding.UTF8.GetString(Line(2, same, new JsonObject { ["label"] = "false" })),
            System.Text.Encoding.UTF8.GetString(Line(1, same, new JsonObject { ["label"] = "false" }))));

        var read = window.AddLines(ndjson, maxLines: 3);
        var report = window.Report(Defaults, driftShare: 0.5, minPredictions: 1, null, null);

        Assert.Equal(3, read);
        Assert.Equal((2L, 1L), (window.Predictions, window.OtherVersions));
        Assert.Equal(2, report.Features.Single(f => f.Feature == "cart_value").CurrentValues);
        Assert.Equal(2, report.Features.Single(f => f.Feature == "time_of_day").CurrentValues);
        Assert.Equal(1, report.Features.Single(f => f.Feature == "device_mobile").CurrentValues);
        Assert.Throws<JsonException>(() => window.AddLine("[1]"u8));
    }

    private static async Task AddAsync(DriftWindow window, GeneratorRequest request)
    {
        foreach (var inputs in await GeneratedRows.InstancesAsync(request))
        {
            window.AddLine(Line(1, inputs, new JsonObject { ["label"] = "false" }));
        }
    }

    /// <summary>A line as serving's export writes it.</summary>
    private static byte[] Line(int version, JsonObject inputs, JsonObject output) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new InferenceLogEntry(Guid.CreateVersion7(), "carts", version, DateTimeOffset.UnixEpoch, ToElement(inputs), ToElement(output), 1, null, "tests"),
            JsonSerializerOptions.Web);

    private static JsonElement ToElement(JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement;
}
