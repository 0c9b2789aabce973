using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlOps.TestSupport;

namespace MlOps.EndToEnd.Tests;

/// <summary>
/// A newcomer's path through the gateway with real tokens (docs/walkthrough.md): data, a model in production,
/// predictions, drift on exactly the shifted features, feedback that shows decay, and the automatic retraining.
/// </summary>
[Collection(RunningPlatform.Collection)]
public sealed class JourneyTests(RunningPlatform running)
{
    private const string Dataset = "journey-carts";
    private const string Model = "journey";
    private const string Target = "abandoned";

    private static readonly string[] Shifted = ["cart_value", "pages_visited", "session_duration", "time_of_day"];

    [Fact]
    public async Task Drift_and_decay_found_in_production_start_a_retraining_on_the_newest_data()
    {
        using var client = await running.AdminClientAsync();

        // Data and a model in production.
        await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/datasets/{Dataset}/versions/generate", new { generator = "cart-abandonment", rows = 5000, seed = 1 }));
        var trained = await TrainAsync(client);
        Assert.Equal(1, trained.GetProperty("modelVersion").GetInt32());
        await Responses.SuccessfulAsync(client.PutAsJsonAsync($"/api/monitoring/{Model}/policy", new
        {
            checkInterval = "1h", last = 2000, autoRetrain = true, retrainCooldown = "1h", minFeedbackSamples = 500,
        }));

        // 2,000 predictions like the training data: no drift.
        var calm = await CsvAsync(client, "cart-abandonment", seed: 2, drift: null);
        await PredictAsync(client, calm.Instances);
        var calmReport = await DriftAsync(client, 2000);
        Assert.False(calmReport.GetProperty("datasetDrift").GetBoolean(), calmReport.ToString());

        // The world moves: a new dataset version with four features shifted, and 2,000 predictions like it.
        var drift = new Dictionary<string, object>
        {
            ["cart_value"] = new { meanShift = 1.5 },
            ["session_duration"] = new { meanShift = -1.5 },
            ["pages_visited"] = new { meanShift = 1.5 },
            ["time_of_day"] = new { categoryMix = new Dictionary<string, double> { ["night"] = 0.8, ["morning"] = 0.2 } },
        };
        await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/datasets/{Dataset}/versions/generate", new { generator = "cart-abandonment", rows = 5000, seed = 3, drift }));
        var moved = await CsvAsync(client, Dataset, seed: null, drift: null);
        var predictions = await PredictAsync(client, moved.Instances.Take(2000).ToList());
        var driftReport = await DriftAsync(client, 2000);
        Assert.True(driftReport.GetProperty("datasetDrift").GetBoolean(), driftReport.ToString());
        Assert.Equal(
            Shifted,
            driftReport.GetProperty("features").EnumerateArray().Where(f => f.GetProperty("drifted").GetBoolean()).Select(f => f.GetProperty("feature").GetString()).Order(StringComparer.Ordinal));

        // Ground truth arrives, and it disagrees with the model: customers now do the opposite of what they did.
        var feedback = predictions.Zip(moved.Labels, (id, label) => new { predictionId = id, actual = !label }).ToArray();
        foreach (var chunk in feedback.Chunk(1000))
        {
            await Responses.SuccessfulAsync(client.PostAsJsonAsync("/api/feedback", new { items = chunk }));
        }

        var performance = await client.GetFromJsonAsync<JsonElement>($"/api/monitoring/{Model}/performance?last=2000");
        Assert.Equal(2000, performance.GetProperty("labelled").GetInt64());
        Assert.True(performance.GetProperty("decay").GetBoolean(), performance.ToString());

        // The drift check asked the trainer for a job on the newest dataset version, promoted only if better.
        var retrains = await client.GetFromJsonAsync<JsonElement>($"/api/monitoring/{Model}/retrains");
        var retrain = retrains.GetProperty("items").EnumerateArray().Single();
        var job = await Eventually.ReturnsAsync(
            () => client.GetFromJsonAsync<JsonElement>($"/api/training/jobs/{retrain.GetProperty("jobId").GetString()}"),
            state => state.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled",
            TimeSpan.FromMinutes(3),
            "the retraining job ending");
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal((Dataset, 2, "if-better"), (job.GetProperty("dataset").GetString(), job.GetProperty("datasetVersion").GetInt32(), job.GetProperty("promote").GetString()));
        Assert.Equal(2, job.GetProperty("modelVersion").GetInt32());
        var promoted = job.GetProperty("promotion").GetProperty("promoted").GetBoolean();
        var production = await client.GetFromJsonAsync<JsonElement>($"/api/models/{Model}/aliases/production");
        Assert.Equal(promoted ? 2 : 1, production.GetProperty("version").GetInt32());
    }

    private static async Task<JsonElement> TrainAsync(HttpClient client)
    {
        using var submitted = await Responses.SuccessfulAsync(client.PostAsJsonAsync("/api/training/jobs", new
        {
            dataset = Dataset, target = Target, algorithm = "logistic-regression", model = Model, promote = "always",
        }));
        var job = await Eventually.ReturnsAsync(
            () => client.GetFromJsonAsync<JsonElement>(submitted.Headers.Location),
            state => state.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled",
            TimeSpan.FromMinutes(3),
            "the training job ending");
        Assert.True(job.GetProperty("status").GetString() == "succeeded", job.ToString());
        return job;
    }

    private static Task<List<Guid>> PredictAsync(HttpClient client, List<JsonObject> instances) => LoggedPredictions.PredictAsync(client, Model, instances);

    private static async Task<JsonElement> DriftAsync(HttpClient client, int last)
    {
        using var response = await Responses.SuccessfulAsync(client.GetAsync($"/api/monitoring/{Model}/drift?last={last}"));
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(last, report.GetProperty("predictions").GetInt64());
        return report;
    }

    /// <summary>
    /// Rows as a client reads them: a fresh sample from a generator (as a dataset of its own) or the newest version of a
    /// dataset, downloaded as CSV; each row's features as an instance, and its label.
    /// </summary>
    private static async Task<(List<JsonObject> Instances, List<bool> Labels)> CsvAsync(HttpClient client, string datasetOrGenerator, int? seed, object? drift)
    {
        var dataset = datasetOrGenerator;
        if (seed is { } generatorSeed)
        {
            dataset = $"{Dataset}-sample-{generatorSeed}";
            await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/datasets/{dataset}/versions/generate", new { generator = datasetOrGenerator, rows = 2000, seed = generatorSeed, drift }));
        }

        var (instances, targets) = await DatasetRows.ReadAsync(client, dataset, Target);
        return (instances, targets.Select(target => target == "true").ToList());
    }
}
