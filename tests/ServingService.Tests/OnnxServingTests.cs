using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;
using MlOps.Contracts.Serving;
using MlOps.Learning.Features;
using MlOps.OnnxTestModels;
using MlOps.ServingService.Models;
using MlOps.TestSupport;

namespace MlOps.ServingService.Tests;

/// <summary>
/// ONNX versions made elsewhere, served like any other: by alias, a batch in one run of the graph, every prediction
/// logged, a hot reload without failed requests, and an ONNX Runtime session freed only once the version is unloaded
/// and the last request holding it has ended.
/// </summary>
public sealed class OnnxServingTests(ServingPlatform platform) : IClassFixture<ServingPlatform>
{
    private static readonly Dictionary<string, string> Unlimited = new() { ["Serving:PermitsPerSecond"] = "1000000", ["Serving:Burst"] = "1000000" };

    [Fact]
    public async Task An_ml_net_model_converted_to_onnx_answers_as_ml_net_does_one_instance_or_a_batch_and_every_prediction_is_logged()
    {
        var ml = new MLContext(seed: 1);
        var training = Customer.Many(2_000, seed: 1);
        var trained = ExternalOnnxModels.TrainMlNet(ml, training);
        var version = await platform.RegisterFileAsync(
            "buyers", "customers", Customer.Csv(Customer.Many(500, seed: 5)), ExternalOnnxModels.ConvertedByMlNet(ml, trained, training), ExternalOnnxModels.MlNetDescriptor());
        await platform.MoveAliasAsync("buyers", "production", version.Version);
        var serving = platform.AddServing();
        using var client = platform.Client(serving);
        var engine = ml.Model.CreatePredictionEngine<CustomerFeatures, MlNetVerdict>(trained);
        var heldOut = Customer.Many(50, seed: 9);

        using var one = await client.PostAsJsonAsync("/api/predict/buyers", heldOut[0].AsInstance());
        using var batch = await client.PostAsJsonAsync("/api/predict/buyers", new { instances = heldOut.Select(customer => customer.AsInstance()).ToArray() });

        Assert.True(one.StatusCode == HttpStatusCode.OK, await one.Content.ReadAsStringAsync());
        Assert.True(batch.StatusCode == HttpStatusCode.OK, await batch.Content.ReadAsStringAsync());
        var single = (await one.Content.ReadFromJsonAsync<PredictionResponse>())!;
        var answered = (await batch.Content.ReadFromJsonAsync<PredictionResponse>())!;
        Assert.Equal(("buyers", version.Version), (answered.Model, answered.Version));
        Assert.Equal(heldOut.Length, answered.Predictions.Count);
        // Float arithmetic batched differs from one row in the last bits only.
        Assert.Equal(single.Predictions[0].Probabilities!["true"], answered.Predictions[0].Probabilities!["true"], 1e-6);
        for (var row = 0; row < heldOut.Length; row++)
        {
            var expected = engine.Predict(CustomerFeatures.Of(heldOut[row]));
            var prediction = answered.Predictions[row];
            Assert.Equal(expected.Probability, prediction.Probabilities!["true"], 1e-5);
            Assert.Equal(1 - expected.Probability, prediction.Probabilities["false"], 1e-5);
            Assert.Equal(expected.PredictedLabel ? "true" : "false", prediction.Label);
        }

        var ids = answered.Predictions.Select(p => p.Id).Append(single.Predictions[0].Id).ToHashSet();
        var logged = await Eventually.ReturnsAsync(
            () => platform.IdsAsync("SELECT id FROM serving.inference_log WHERE model = 'buyers'"),
            stored => stored.IsSupersetOf(ids),
            TimeSpan.FromSeconds(30),
            "the ONNX version's predictions in the inference log");
        Assert.Equal(ids.Count, logged.Count);
    }

    [Fact]
    public async Task Instances_that_do_not_fit_an_onnx_version_are_refused_naming_the_input()
    {
        var version = await platform.RegisterFileAsync(
            "churners", "churn", ExternalOnnxModels.ChurnCsv(300, seed: 2), ExternalOnnxModels.ChurnGraph(), ExternalOnnxModels.ChurnDescriptor());
        var serving = platform.AddServing();
        using var client = platform.Client(serving);

        using var missing = await client.PostAsJsonAsync($"/api/predict/churners?version={version.Version}", new { tenure = 3, complaints = 1 });
        using var text = await client.PostAsJsonAsync($"/api/predict/churners?version={version.Version}", new { tenure = "long", complaints = 1, late_payments = 0 });
        using var fine = await client.PostAsJsonAsync($"/api/predict/churners?version={version.Version}", new { tenure = 1, complaints = 2, late_payments = 1 });

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("late_payments", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal(HttpStatusCode.BadRequest, text.StatusCode);
        Assert.Contains("tenure", (await text.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        var probability = (await fine.Content.ReadFromJsonAsync<PredictionResponse>())!.Predictions[0].Probabilities!["leave"];
        Assert.Equal(1 / (1 + Math.Exp(-((-0.5 * 1) + 2 + 2 - 0.25))), probability, 1e-6);
    }

    [Fact]
    public async Task An_alias_move_between_onnx_versions_drops_no_request_and_frees_the_old_session_once_its_last_request_ends()
    {
        var first = await platform.RegisterFileAsync(
            "movers", "movers-data", Customer.Csv(Customer.Many(300, seed: 3)), ExternalOnnxModels.MlNetCustomerModel(seed: 1), ExternalOnnxModels.MlNetDescriptor());
        var second = await platform.RegisterFileAsync(
            "movers", "movers-data", Customer.Csv(Customer.Many(300, seed: 3)), ExternalOnnxModels.MlNetCustomerModel(seed: 2), ExternalOnnxModels.MlNetDescriptor());
        Assert.Equal(first.Version + 1, second.Version);
        await platform.MoveAliasAsync("movers", "production", first.Version);
        var serving = platform.AddServing(Unlimited);
        using var client = platform.Client(serving);
        var catalog = serving.Services.GetRequiredService<ModelCatalog>();
        // What an in-flight request holds while the alias moves.
        var held = await catalog.AcquireByAliasAsync("movers", "production", CancellationToken.None);
        Assert.Equal(first.Version, held.Version);

        var failures = new ConcurrentQueue<string>();
        var servedSecond = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.PostAsJsonAsync("/api/predict/movers", new { instances = Customer.Many(8, seed: 4).Select(customer => customer.AsInstance()).ToArray() });
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
                else if ((await response.Content.ReadFromJsonAsync<PredictionResponse>())!.Version == second.Version)
                {
                    servedSecond.TrySetResult();
                }
            }
        })).ToArray();
        await Task.Delay(300);
        await platform.MoveAliasAsync("movers", "production", second.Version);
        await servedSecond.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        // Unloaded, but a request still holds it: its session must still score.
        Assert.False(held.IsDisposed);
        Assert.Equal(2, held.Scorer.Score([[FeatureValue.FromNumber(30), FeatureValue.FromNumber(50), FeatureValue.FromText("oslo")]])[0].Probabilities!.Length);
        var current = await catalog.AcquireByAliasAsync("movers", "production", CancellationToken.None);
        Assert.Equal(second.Version, current.Version);
        current.Release();
        held.Release();
        Assert.True(held.IsDisposed);
        Assert.False(current.IsDisposed);
    }
}
