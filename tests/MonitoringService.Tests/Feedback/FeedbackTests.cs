using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Contracts.Monitoring;
using MlOps.Learning.Generators;
using MlOps.ServiceConventions.Paging;
using MlOps.TestSupport;

namespace MlOps.MonitoringService.Tests.Feedback;

/// <summary>
/// Feedback on predictions served and logged by real serving, checked against the registry's version, and the live
/// quality computed from it.
/// </summary>
[Collection(MonitoringPlatform.Collection)]
public sealed class FeedbackTests(MonitoringPlatform platform)
{
    [Fact]
    public async Task Feedback_is_checked_against_its_prediction_stored_once_and_never_changed()
    {
        await platform.TrainAsync("fb");
        var predictions = await platform.PredictAsync("fb", new GeneratorRequest(4, Seed: 11));
        var ids = predictions.Select(p => p.Id).ToArray();
        using var client = platform.Client("mlops.predict");

        using var first = await client.PostAsJsonAsync("/api/feedback", new { predictionId = ids[0], actual = true });
        using var repeated = await client.PostAsJsonAsync("/api/feedback", new { predictionId = ids[0], actual = "true" });
        using var changed = await client.PostAsJsonAsync("/api/feedback", new { predictionId = ids[0], actual = false });
        using var batch = await client.PostAsJsonAsync("/api/feedback", new
        {
            items = new object[]
            {
                new { predictionId = ids[1], actual = "false" },
                new { predictionId = ids[2], actual = true },
                new { predictionId = ids[0], actual = true },
            },
        });
        // One bad item refuses the whole batch: ids[3] stays without feedback.
        using var mixed = await client.PostAsJsonAsync("/api/feedback", new
        {
            items = new object[] { new { predictionId = ids[3], actual = true }, new { predictionId = ids[3] }, new { actual = 1 } },
        });

        Assert.Equal(new FeedbackResponse(1, 0), await first.Content.ReadFromJsonAsync<FeedbackResponse>());
        Assert.Equal(new FeedbackResponse(0, 1), await repeated.Content.ReadFromJsonAsync<FeedbackResponse>());
        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        var conflict = await ProblemAsync(changed);
        Assert.Contains("already has the actual value 'true'", conflict.GetProperty("errors").GetProperty("actual")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(new FeedbackResponse(2, 1), await batch.Content.ReadFromJsonAsync<FeedbackResponse>());
        Assert.Equal(HttpStatusCode.BadRequest, mixed.StatusCode);
        var errors = (await ProblemAsync(mixed)).GetProperty("errors");
        Assert.Contains("actual is required", errors.GetProperty("items[1].actual")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("predictionId is required", errors.GetProperty("items[2].predictionId")[0].GetString(), StringComparison.Ordinal);

        var stored = await Sql.CountAsync(platform.ConnectionString, "SELECT count(*) FROM monitoring.feedback WHERE model = 'fb'");
        Assert.Equal(3, stored);
        var metrics = await platform.Monitoring.CreateClient().GetStringAsync("/metrics");
        Assert.Matches("""mlops_feedback_total\{(?:otel_scope_\w+="[^"]*",)*model="fb",outcome="accepted"\} 3(\s|$)""", metrics);
        Assert.Matches("""mlops_feedback_total\{(?:otel_scope_\w+="[^"]*",)*model="fb",outcome="duplicate"\} 2(\s|$)""", metrics);
    }

    [Fact]
    public async Task Bad_feedback_gets_a_problem_naming_each_field()
    {
        await platform.TrainAsync("fb-bad");
        var ids = (await platform.PredictAsync("fb-bad", new GeneratorRequest(2, Seed: 12))).Select(p => p.Id).ToArray();
        using var client = platform.Client("mlops.predict");
        var unknownId = Guid.CreateVersion7();

        using var notAClass = await client.PostAsJsonAsync("/api/feedback", new { predictionId = ids[0], actual = "maybe" });
        using var number = await client.PostAsJsonAsync("/api/feedback", new { predictionId = ids[0], actual = 1 });
        using var unknown = await client.PostAsJsonAsync("/api/feedback", new { predictionId = unknownId, actual = true });
        using var both = await client.PostAsJsonAsync("/api/feedback", new { predictionId = ids[0], actual = true, items = new[] { new { predictionId = ids[1], actual = true } } });
        using var empty = await client.PostAsJsonAsync("/api/feedback", new { items = Array.Empty<object>() });
        using var tooMany = await client.PostAsJsonAsync("/api/feedback", new { items = Enumerable.Range(0, 1001).Select(_ => new { predictionId = ids[0], actual = true }) });
        using var typo = await client.PostAsJsonAsync("/api/feedback", new { predictionId = ids[0], actaul = true });
        using var twice = await client.PostAsJsonAsync("/api/feedback", new { items = new[] { new { predictionId = ids[1], actual = true }, new { predictionId = ids[1], actual = false } } });
        using var readOnly = await platform.Client("mlops.read").PostAsJsonAsync("/api/feedback", new { predictionId = ids[0], actual = true });
        using var anonymous = await platform.Monitoring.CreateClient().PostAsJsonAsync("/api/feedback", new { predictionId = ids[0], actual = true });

        Assert.Equal(HttpStatusCode.BadRequest, notAClass.StatusCode);
        Assert.Equal(
            "\"maybe\" is not a class of fb-bad version 1 (classes: false, true).",
            (await ProblemAsync(notAClass)).GetProperty("errors").GetProperty("actual")[0].GetString());
        Assert.Contains("1 is not a class", await number.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var missing = await ProblemAsync(unknown);
        Assert.Equal($"No logged prediction has the id {unknownId}.", missing.GetProperty("errors").GetProperty("predictionId")[0].GetString());
        foreach (var response in new[] { both, empty, tooMany, typo, twice })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Contains("two different actual values", await twice.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, readOnly.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(0, await Sql.CountAsync(platform.ConnectionString, "SELECT count(*) FROM monitoring.feedback WHERE model = 'fb-bad'"));
    }

    [Fact]
    public async Task Live_quality_is_compared_with_validation_and_a_drop_beyond_the_policy_is_decay()
    {
        await platform.TrainAsync("perf");
        using var admin = platform.Client("mlops.admin mlops.read");
        using (var set = await admin.PutAsJsonAsync("/api/monitoring/perf/policy", new { minFeedbackSamples = 200, maxPerformanceDrop = 0.2, checkInterval = "7d" }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var calm = new GeneratorRequest(400, Seed: 21);
        var calmPredictions = await platform.PredictAsync("perf", calm);
        var calmLabels = await GeneratedRows.LabelsAsync(calm);
        var few = await PerformanceAsync(admin, "perf", "?last=100");
        await PostFeedbackAsync(calmPredictions.Select(p => p.Id), calmLabels);
        var good = await PerformanceAsync(admin, "perf", "?window=1h");

        // The world turns: the same kind of customers now do the opposite of what they did.
        var turned = new GeneratorRequest(400, Seed: 22);
        var turnedPredictions = await platform.PredictAsync("perf", turned);
        var turnedLabels = (await GeneratedRows.LabelsAsync(turned)).Select(label => label == "true" ? "false" : "true");
        await PostFeedbackAsync(turnedPredictions.Select(p => p.Id), turnedLabels);
        var bad = await PerformanceAsync(admin, "perf", "?last=400");
        var newest = (await admin.GetFromJsonAsync<PerformanceReport>("/api/monitoring/perf/performance"))!;

        Assert.Null(few.Decay);
        Assert.Equal(0, few.Labelled);
        Assert.Contains("fewer than the policy's minimum of 200", few.Note, StringComparison.Ordinal);
        Assert.Equal(("perf", 1, 400L, "auc", true, false), (good.Model, good.Version, good.Labelled, good.PrimaryMetric, good.HigherIsBetter, good.Decay));
        Assert.Equal(["accuracy", "auc", "f1", "logLoss", "precision", "recall"], good.Live.Keys.Order());
        Assert.InRange(good.Live["auc"], good.Validation["auc"] - 0.1, 1);
        Assert.Equal((good.Validation["auc"] - good.Live["auc"]) / good.Validation["auc"], good.Drop!.Value, 12);
        Assert.Equal((400L, true), (bad.Labelled, bad.Decay));
        Assert.True(bad.Live["auc"] < 0.5, $"auc {bad.Live["auc"]} on turned labels");
        Assert.Equal(bad.CheckedAt, newest.CheckedAt);
        var history = (await admin.GetFromJsonAsync<Page<PerformanceReport>>("/api/monitoring/perf/performance/reports"))!;
        Assert.Equal([true, false, (bool?)null], history.Items.Select(r => r.Decay));
        var metrics = await platform.Monitoring.CreateClient().GetStringAsync("/metrics");
        Assert.Matches("""mlops_model_performance\{(?:otel_scope_\w+="[^"]*",)*metric="auc",model="perf",source="live"\} 0\.[0-4]""", metrics);
        Assert.Matches("""mlops_model_performance\{(?:otel_scope_\w+="[^"]*",)*metric="auc",model="perf",source="validation"\} 0\.\d+""", metrics);
        Assert.Matches("""mlops_model_decay\{(?:otel_scope_\w+="[^"]*",)*model="perf"\} 1(\s|$)""", metrics);
        Assert.Matches("""mlops_performance_checks_total\{(?:otel_scope_\w+="[^"]*",)*model="perf",outcome="insufficient"\} 1(\s|$)""", metrics);
    }

    [Fact]
    public async Task Performance_requests_are_validated()
    {
        using var client = platform.Client();

        using var both = await client.GetAsync("/api/monitoring/perf/performance?window=1h&last=10");
        using var badWindow = await client.GetAsync("/api/monitoring/perf/performance?window=0s");
        using var unknown = await client.GetAsync("/api/monitoring/nobody/performance?last=10");
        using var noReport = await client.GetAsync("/api/monitoring/nobody/performance");

        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badWindow.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noReport.StatusCode);
        Assert.Contains("No performance report for 'nobody'", await noReport.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task PostFeedbackAsync(IEnumerable<Guid> ids, IEnumerable<string> labels)
    {
        using var client = platform.Client("mlops.predict");
        foreach (var chunk in ids.Zip(labels, (id, label) => new { predictionId = id, actual = label }).Chunk(1000))
        {
            using var response = await client.PostAsJsonAsync("/api/feedback", new { items = chunk });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    private static async Task<PerformanceReport> PerformanceAsync(HttpClient client, string model, string query)
    {
        using var response = await client.GetAsync($"/api/monitoring/{model}/performance{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PerformanceReport>())!;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
