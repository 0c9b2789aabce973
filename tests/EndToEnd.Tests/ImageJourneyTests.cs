using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.TestSupport;
using Xunit.Abstractions;

namespace MlOps.EndToEnd.Tests;

/// <summary>
/// Product classification from text and pictures through the gateway (docs/images.md): a generated catalogue, a model
/// trained on its titles, descriptions, photos and prices, promoted and served with pictures in base64 JSON and as
/// multipart files; photos of a changed style flagged on the image column; ground truth that shows the decay.
/// </summary>
[Collection(RunningPlatform.Collection)]
public sealed class ImageJourneyTests(RunningPlatform running, ITestOutputHelper output)
{
    private const string Dataset = "journey-catalog";
    private const string Model = "journey-catalog";

    [Fact]
    public async Task A_catalogue_model_serves_pictures_and_a_changed_photo_style_is_flagged_on_the_image_column()
    {
        using var client = await running.AdminClientAsync();
        await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/datasets/{Dataset}/versions/generate", new { generator = "product-catalog", rows = 600, seed = 1 }));
        using var submitted = await Responses.SuccessfulAsync(client.PostAsJsonAsync("/api/training/jobs", new
        {
            dataset = Dataset, target = "category", algorithm = "logistic-regression", model = Model, promote = "always",
        }));
        var job = await Eventually.ReturnsAsync(
            () => client.GetFromJsonAsync<JsonElement>(submitted.Headers.Location),
            state => state.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled",
            TimeSpan.FromMinutes(5),
            "the training job ending");
        Assert.True(job.GetProperty("status").GetString() == "succeeded", job.ToString());
        var version = await client.GetFromJsonAsync<JsonElement>($"/api/models/{Model}/versions/1");
        Assert.Contains(version.GetProperty("inputs").EnumerateArray(), input => input.GetProperty("type").GetString() == "image");
        await Responses.SuccessfulAsync(client.PutAsJsonAsync($"/api/monitoring/{Model}/policy", new { checkInterval = "1h", last = 150, minDriftSamples = 100 }));

        // Photos like the training ones: the answers agree whichever way a picture is sent, and nothing drifts.
        var calm = await SampleAsync(client, seed: 2, drift: null);
        var first = calm.Instances[0];
        using var json = await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/predict/{Model}", first));
        using var form = Form(first, calm.Pictures[0]);
        using var multipart = await Responses.SuccessfulAsync(client.PostAsync($"/api/predict/{Model}", form));
        var fromJson = (await json.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions")[0];
        var fromForm = (await multipart.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions")[0];
        Assert.Equal(fromJson.GetProperty("probabilities").ToString(), fromForm.GetProperty("probabilities").ToString());
        await LoggedPredictions.PredictAsync(client, Model, calm.Instances);
        var calmReport = await DriftAsync(client);
        Assert.False(Image(calmReport).GetProperty("drifted").GetBoolean(), calmReport.ToString());

        // The photo style changes (dark backgrounds, darker light): the image column drifts, the text does not.
        var dark = await SampleAsync(client, seed: 3, drift: new Dictionary<string, object>
        {
            ["background"] = new { categoryMix = new Dictionary<string, double> { ["dark-grey"] = 1 } },
            ["brightness"] = new { meanShift = -6 },
        });
        var predictions = await LoggedPredictions.PredictAsync(client, Model, dark.Instances);
        var darkReport = await DriftAsync(client);
        var image = Image(darkReport);
        Assert.True(image.GetProperty("drifted").GetBoolean(), darkReport.ToString());
        Assert.Equal("domain-classifier", image.GetProperty("test").GetString());

        // Ground truth: the model's answers on the dark photos are checked against the true categories.
        var feedback = predictions.Zip(dark.Labels, (id, label) => new { predictionId = id, actual = label }).ToArray();
        await Responses.SuccessfulAsync(client.PostAsJsonAsync("/api/feedback", new { items = feedback }));
        var performance = await client.GetFromJsonAsync<JsonElement>($"/api/monitoring/{Model}/performance?last=150");
        Assert.Equal(150, performance.GetProperty("labelled").GetInt64());
        Assert.True(performance.GetProperty("decay").GetBoolean(), performance.ToString());
        output.WriteLine($"live performance on dark photos: {performance}");

        // One picture through the gateway, one request at a time: the latency a client sees (printed; bench/ records it).
        var latencies = new List<double>();
        foreach (var instance in calm.Instances.Take(40))
        {
            var clock = Stopwatch.StartNew();
            using var answer = await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/predict/{Model}", instance));
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }

        latencies.Sort();
        output.WriteLine($"one picture through the gateway: p50 {latencies[latencies.Count / 2]:F1} ms, p99 {latencies[^1]:F1} ms over {latencies.Count} requests");
    }

    private static async Task<(List<System.Text.Json.Nodes.JsonObject> Instances, List<string> Labels, List<byte[]> Pictures)> SampleAsync(
        HttpClient client, int seed, object? drift)
    {
        var dataset = $"{Dataset}-sample-{seed}";
        await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/datasets/{dataset}/versions/generate", new { generator = "product-catalog", rows = 150, seed, drift }));
        return await DatasetRows.ReadArchiveAsync(client, dataset, "category", "image");
    }

    private static MultipartFormDataContent Form(System.Text.Json.Nodes.JsonObject instance, byte[] picture)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in instance)
        {
            if (name != "image")
            {
                form.Add(new StringContent(value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<double>(out var number)
                    ? number.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
                    : value!.GetValue<string>()), name);
            }
        }

        var file = new ByteArrayContent(picture);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", "photo.png");
        return form;
    }

    private static async Task<JsonElement> DriftAsync(HttpClient client)
    {
        using var response = await Responses.SuccessfulAsync(client.GetAsync($"/api/monitoring/{Model}/drift?last=150"));
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static JsonElement Image(JsonElement report) =>
        report.GetProperty("features").EnumerateArray().Single(feature => feature.GetProperty("feature").GetString() == "image");
}
