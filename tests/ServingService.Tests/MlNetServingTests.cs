using System.Net;
using System.Net.Http.Json;
using Microsoft.ML;
using MlOps.Contracts.Serving;
using MlOps.OnnxTestModels;
using MlOps.TestSupport;

namespace MlOps.ServingService.Tests;

/// <summary>
/// ML.NET models made elsewhere, served like any other: by alias, one instance or a batch through ML.NET's own pipeline,
/// answers equal to ML.NET's <c>PredictionEngine</c>'s, requests from many threads at once, every prediction logged.
/// </summary>
public sealed class MlNetServingTests(ServingPlatform platform) : IClassFixture<ServingPlatform>
{
    private static readonly Dictionary<string, string> Unlimited = new() { ["Serving:PermitsPerSecond"] = "1000000", ["Serving:Burst"] = "1000000" };

    [Fact]
    public async Task An_ml_net_zip_answers_as_ml_net_does_from_many_requests_at_once_and_every_prediction_is_logged()
    {
        var file = ExternalMlNetModels.CustomerZip();
        var version = await platform.RegisterFileAsync("buyers-zip", "customers", Customer.Csv(Customer.Many(500, seed: 5)), file, ExternalMlNetModels.CustomerDescriptor("customers"));
        await platform.MoveAliasAsync("buyers-zip", "production", version.Version);
        var serving = platform.AddServing(Unlimited);
        using var client = platform.Client(serving);
        var ml = new MLContext();
        var engine = ml.Model.CreatePredictionEngine<Customer, MlNetVerdict>(ml.Model.Load(new MemoryStream(file), out _));
        var heldOut = Customer.Many(40, seed: 9);

        using var batch = await client.PostAsJsonAsync("/api/predict/buyers-zip", new { instances = heldOut.Select(customer => customer.AsInstance()).ToArray() });
        var singles = await Task.WhenAll(heldOut.Select(async customer =>
        {
            using var one = await client.PostAsJsonAsync("/api/predict/buyers-zip", customer.AsInstance());
            Assert.True(one.StatusCode == HttpStatusCode.OK, await one.Content.ReadAsStringAsync());
            return (await one.Content.ReadFromJsonAsync<PredictionResponse>())!.Predictions[0];
        }));

        Assert.True(batch.StatusCode == HttpStatusCode.OK, await batch.Content.ReadAsStringAsync());
        var answered = (await batch.Content.ReadFromJsonAsync<PredictionResponse>())!;
        Assert.Equal(("buyers-zip", version.Version), (answered.Model, answered.Version));
        for (var row = 0; row < heldOut.Length; row++)
        {
            var expected = engine.Predict(heldOut[row]);
            Assert.Equal(expected.Probability, answered.Predictions[row].Probabilities!["true"], 1e-6);
            Assert.Equal(expected.Probability, singles[row].Probabilities!["true"], 1e-6);
            Assert.Equal(expected.PredictedLabel ? "true" : "false", answered.Predictions[row].Label);
        }

        var ids = answered.Predictions.Select(p => p.Id).Concat(singles.Select(p => p.Id)).ToHashSet();
        var logged = await Eventually.ReturnsAsync(
            () => platform.IdsAsync("SELECT id FROM serving.inference_log WHERE model = 'buyers-zip'"),
            stored => stored.IsSupersetOf(ids),
            TimeSpan.FromSeconds(30),
            "the ML.NET version's predictions in the inference log");
        Assert.Equal(ids.Count, logged.Count);
    }
}
