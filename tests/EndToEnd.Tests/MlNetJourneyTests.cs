using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.OnnxTestModels;
using MlOps.TestSupport;

namespace MlOps.EndToEnd.Tests;

/// <summary>
/// ML.NET's learners go the whole way through the gateway, each on every task: LightGBM, FastTree and SDCA on a binary
/// target, a regression and a multiclass text target; each job succeeds, its version is promoted, served and every
/// prediction logged with the label or value the training rows had; and an ML.NET model trained elsewhere, registered
/// from its .zip, served and logged the same way.
/// </summary>
[Collection(RunningPlatform.Collection)]
public sealed class MlNetJourneyTests(RunningPlatform running)
{
    public static TheoryData<string, string, string, string, string> Learners()
    {
        // algorithm, generator, target, task, metric
        var learners = new TheoryData<string, string, string, string, string>();
        foreach (var algorithm in new[] { "lightgbm", "fasttree", "sdca" })
        {
            learners.Add(algorithm, "cart-abandonment", "abandoned", "binary", "auc");
            learners.Add(algorithm, "wine-price", "price", "regression", "r2");
            learners.Add(algorithm, "product-category", "category", "multiclass", "accuracy");
        }

        return learners;
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public async Task An_ml_net_learner_trains_and_its_version_is_served_and_logged_through_the_gateway(
        string algorithm, string generator, string target, string task, string metric)
    {
        using var client = await running.AdminClientAsync();
        var dataset = $"mlnet-{generator}";
        var model = $"mlnet-{algorithm}-{task}";
        await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/datasets/{dataset}/versions/generate", new { generator, rows = 1_500, seed = 5 }));

        using var submitted = await Responses.SuccessfulAsync(client.PostAsJsonAsync("/api/training/jobs", new
        {
            dataset, target, algorithm, model, promote = "always",
            hyperparameters = algorithm == "sdca" ? null : new Dictionary<string, int> { ["rounds"] = 30, ["textHashBits"] = 8 },
        }));
        var job = await Eventually.ReturnsAsync(
            () => client.GetFromJsonAsync<JsonElement>(submitted.Headers.Location),
            state => state.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled",
            TimeSpan.FromMinutes(3),
            "the training job ending");
        Assert.True(job.GetProperty("status").GetString() == "succeeded", job.ToString());
        Assert.Equal(task, job.GetProperty("task").GetString());

        var version = await client.GetFromJsonAsync<JsonElement>($"/api/models/{model}/versions/1");
        Assert.Equal(algorithm, version.GetProperty("algorithm").GetString());
        var score = version.GetProperty("metrics").GetProperty(metric).GetDouble();
        Assert.True(task == "binary" ? score > 0.7 : score > 0.5, version.ToString());
        using (var onnx = await client.GetAsync($"/api/models/{model}/versions/1/onnx"))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, onnx.StatusCode);
            Assert.Contains("mlnet", await onnx.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var (instances, targets) = await DatasetRows.ReadAsync(client, dataset, target);
        var ids = await LoggedPredictions.PredictAsync(client, model, instances.Take(200).ToList());
        Assert.Equal(200, ids.Distinct().Count());

        using var answered = await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/predict/{model}", new { instances = instances.Take(100).ToList() }));
        var predictions = (await answered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").EnumerateArray().ToArray();
        if (task == "regression")
        {
            Assert.All(predictions, prediction => Assert.True(double.IsFinite(prediction.GetProperty("value").GetDouble())));
        }
        else
        {
            var right = predictions.Zip(targets, (prediction, actual) => prediction.GetProperty("label").GetString() == actual).Count(hit => hit);
            Assert.True(right >= 60, $"{right} of 100 labels right");
            Assert.All(predictions, prediction => Assert.Equal(1.0, prediction.GetProperty("probabilities").EnumerateObject().Sum(p => p.Value.GetDouble()), 4));
        }
    }

    [Fact]
    public async Task An_ml_net_zip_made_elsewhere_is_registered_promoted_served_and_logged_through_the_gateway()
    {
        using var client = await running.AdminClientAsync();
        var customers = Customer.Many(1_000, seed: 31);
        await Responses.SuccessfulAsync(client.PostAsync("/api/datasets/zip-customers/versions", new StringContent(Customer.Csv(customers), System.Text.Encoding.UTF8, "text/csv")));

        using var registered = await Responses.SuccessfulAsync(client.PostAsync(
            "/api/models/buyers-zip/versions", ModelUploads.Content(ExternalMlNetModels.CustomerZip(), ExternalMlNetModels.CustomerDescriptor("zip-customers"))));
        var version = await registered.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal("mlnet", version.GetProperty("artifact").GetProperty("format").GetString());
        Assert.True(version.GetProperty("metrics").GetProperty("auc").GetDouble() > 0.75, version.ToString());
        await Responses.SuccessfulAsync(client.PutAsJsonAsync("/api/models/buyers-zip/aliases/production", new { version = 1, reason = "the ML.NET model, registered from its .zip" }));

        var instances = customers.Take(300).Select(c => new Dictionary<string, object> { ["Age"] = c.Age, ["Income"] = c.Income, ["City"] = c.City }).ToArray();
        var ids = await LoggedPredictions.PredictAsync(client, "buyers-zip", instances);
        Assert.Equal(300, ids.Distinct().Count());
    }
}
