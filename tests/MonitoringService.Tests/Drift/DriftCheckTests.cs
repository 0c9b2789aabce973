using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Contracts.Monitoring;
using MlOps.Learning.Generators;
using MlOps.MonitoringService.Drift;
using MlOps.ServiceConventions.Paging;
using MlOps.TestSupport;

namespace MlOps.MonitoringService.Tests.Drift;

/// <summary>
/// A drift check end to end: a model trained on cart-abandonment data by the trainer, predictions served and logged by
/// serving, and the monitoring service reading serving's log and the registry's reference profile.
/// </summary>
[Collection(MonitoringPlatform.Collection)]
public sealed class DriftCheckTests(MonitoringPlatform platform)
{
    [Fact]
    public async Task Predictions_from_the_training_distribution_show_no_drift_and_drifted_ones_show_it_on_the_shifted_features()
    {
        await platform.TrainAsync("carts");
        using var client = platform.Client();

        await platform.PredictAsync("carts", new GeneratorRequest(600, Seed: 2));
        var calm = await CheckAsync(client, "carts", "?last=600");

        Assert.Equal(("carts", 1, 600L, false), (calm.Model, calm.Version, calm.Predictions, calm.DatasetDrift));
        Assert.Equal(7, calm.Features.Count);
        Assert.DoesNotContain(calm.Features, f => f.Drifted);
        Assert.NotNull(calm.CheckedAt);
        Assert.NotNull(calm.PredictionDrift);

        var shift = new Dictionary<string, DriftSpec>
        {
            ["cart_value"] = new(MeanShift: 1.5),
            ["session_duration"] = new(MeanShift: -1.5),
            ["pages_visited"] = new(MeanShift: 1.5),
            ["time_of_day"] = new(CategoryMix: new Dictionary<string, double> { ["night"] = 0.8, ["morning"] = 0.2 }),
        };
        await platform.PredictAsync("carts", new GeneratorRequest(600, Seed: 3, shift));
        var drifted = await CheckAsync(client, "carts", "?last=600");
        var whole = await CheckAsync(client, "carts", "?window=1h");

        Assert.Equal(["cart_value", "pages_visited", "session_duration", "time_of_day"], drifted.Features.Where(f => f.Drifted).Select(f => f.Feature));
        Assert.True(drifted.DatasetDrift);
        Assert.Equal(1200, whole.Predictions);
        Assert.NotNull(whole.WindowStart);

        // The newest check, as gauges; three checks counted.
        var metrics = await platform.Monitoring.CreateClient().GetStringAsync("/metrics");
        Assert.Matches("""mlops_feature_drift_score\{(?:otel_scope_\w+="[^"]*",)*feature="cart_value",model="carts",test="wasserstein"\} [0-9.]+""", metrics);
        Assert.Matches("""mlops_dataset_drift_share\{(?:otel_scope_\w+="[^"]*",)*model="carts"\} 0\.5714""", metrics);
        Assert.Matches("""mlops_dataset_drift\{(?:otel_scope_\w+="[^"]*",)*model="carts"\} 1(\s|$)""", metrics);
        Assert.Matches("""mlops_prediction_drift_score\{(?:otel_scope_\w+="[^"]*",)*model="carts",test="\w+"\} """, metrics);
        Assert.Matches("""mlops_drift_checks_total\{(?:otel_scope_\w+="[^"]*",)*model="carts",outcome="drift"\} 2(\s|$)""", metrics);
        Assert.Matches("""mlops_drift_checks_total\{(?:otel_scope_\w+="[^"]*",)*model="carts",outcome="no_drift"\} 1(\s|$)""", metrics);

        // Without a window: the newest stored report. Every report, newest first, a page at a time.
        var newest = (await client.GetFromJsonAsync<DriftReport>("/api/monitoring/carts/drift", DriftEndpoints.Json))!;
        Assert.Equal(JsonSerializer.Serialize(whole, DriftEndpoints.Json), JsonSerializer.Serialize(newest, DriftEndpoints.Json));
        var first = (await client.GetFromJsonAsync<Page<DriftReport>>("/api/monitoring/carts/drift/reports?limit=2", DriftEndpoints.Json))!;
        var rest = (await client.GetFromJsonAsync<Page<DriftReport>>($"/api/monitoring/carts/drift/reports?limit=2&cursor={first.NextCursor}", DriftEndpoints.Json))!;
        Assert.Equal([1200L, 600L, 600L], first.Items.Concat(rest.Items).Select(r => r.Predictions));
        Assert.Equal([true, true, false], first.Items.Concat(rest.Items).Select(r => r.DatasetDrift!.Value));
        Assert.Null(rest.NextCursor);
        using var badCursor = await client.GetAsync("/api/monitoring/carts/drift/reports?cursor=bm90LWEtbnVtYmVy");
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
    }

    [Fact]
    public async Task The_policy_thresholds_and_minimum_apply()
    {
        await platform.TrainAsync("strict");
        await platform.PredictAsync("strict", new GeneratorRequest(150, Seed: 4));
        using var admin = platform.Client("mlops.admin mlops.read");
        using (var set = await admin.PutAsJsonAsync("/api/monitoring/strict/policy", new { minDriftSamples = 1000 }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var report = await CheckAsync(admin, "strict", "?last=150");

        Assert.Null(report.DatasetDrift);
        Assert.Empty(report.Features);
        Assert.Contains("at least 1000", report.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_requests_unknown_models_and_missing_reports_get_problems()
    {
        using var client = platform.Client();

        using var both = await client.GetAsync("/api/monitoring/carts/drift?window=1h&last=10");
        using var badWindow = await client.GetAsync("/api/monitoring/carts/drift?window=5y");
        using var badLast = await client.GetAsync("/api/monitoring/carts/drift?last=0");
        using var badAlias = await client.GetAsync("/api/monitoring/carts/drift?last=10&alias=Prod%20A");
        using var unknown = await client.GetAsync("/api/monitoring/nothing-here/drift?last=10");
        using var noReport = await client.GetAsync("/api/monitoring/nothing-here/drift");
        using var anonymous = platform.Monitoring.CreateClient();

        foreach (var response in new[] { both, badWindow, badLast, badAlias })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Contains("window", await both.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("nothing-here", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, noReport.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/monitoring/carts/drift?last=10")).StatusCode);
    }

    private static async Task<DriftReport> CheckAsync(HttpClient client, string model, string query)
    {
        using var response = await client.GetAsync($"/api/monitoring/{model}/drift{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DriftReport>(DriftEndpoints.Json))!;
    }
}
