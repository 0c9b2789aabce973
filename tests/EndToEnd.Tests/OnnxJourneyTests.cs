using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.OnnxTestModels;
using MlOps.TestSupport;

namespace MlOps.EndToEnd.Tests;

/// <summary>
/// An ONNX model made outside the platform (trained by ML.NET, written by its converter) goes the whole way through the
/// gateway: registered with its descriptor (a wrong one refused naming the fault), promoted, served, every prediction
/// logged, ground truth taken, and drift found on exactly the inputs that moved.
/// </summary>
[Collection(RunningPlatform.Collection)]
public sealed class OnnxJourneyTests(RunningPlatform running)
{
    private const string Model = "buyers-onnx";
    private const string Dataset = "customers";

    [Fact]
    public async Task An_onnx_model_made_elsewhere_is_registered_promoted_served_logged_and_drift_checked_through_the_gateway()
    {
        using var client = await running.AdminClientAsync();
        var customers = Customer.Many(2_000, seed: 21);
        await Responses.SuccessfulAsync(client.PostAsync($"/api/datasets/{Dataset}/versions", new StringContent(Customer.Csv(customers), System.Text.Encoding.UTF8, "text/csv")));
        var file = ExternalOnnxModels.MlNetCustomerModel();

        // A descriptor naming an input the graph lacks is refused, naming it; nothing is registered.
        var wrong = ExternalOnnxModels.MlNetDescriptor(Dataset) with { Inputs = [new("Age", "numeric"), new("Income", "numeric"), new("Town", "categorical")] };
        using (var refused = await client.PostAsync($"/api/models/{Model}/versions", ModelUploads.Content(file, wrong)))
        {
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Contains("Town", problem.GetProperty("errors").GetProperty("inputs[2].graphInput")[0].GetString(), StringComparison.Ordinal);
        }

        using (var missing = await client.GetAsync($"/api/models/{Model}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using var registered = await Responses.SuccessfulAsync(client.PostAsync($"/api/models/{Model}/versions", ModelUploads.Content(file, ExternalOnnxModels.MlNetDescriptor(Dataset))));
        var version = await registered.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal("onnx", version.GetProperty("artifact").GetProperty("format").GetString());
        Assert.True(version.GetProperty("metrics").GetProperty("auc").GetDouble() > 0.75, version.ToString());
        await Responses.SuccessfulAsync(client.PutAsJsonAsync($"/api/models/{Model}/aliases/production", new { version = 1, reason = "the ML.NET model, registered from ONNX" }));

        // Traffic like the data it was evaluated on, with ground truth.
        var calm = customers.Take(500).ToArray();
        var calmIds = await PredictAsync(client, calm);
        var feedback = calmIds.Zip(calm, (id, customer) => new { predictionId = id, actual = customer.Label }).ToArray();
        await Responses.SuccessfulAsync(client.PostAsJsonAsync("/api/feedback", new { items = feedback }));
        var performance = await client.GetFromJsonAsync<JsonElement>($"/api/monitoring/{Model}/performance?last=500");
        Assert.Equal(500, performance.GetProperty("labelled").GetInt64());

        // Older, richer customers: the numeric inputs move, the city mix does not.
        var shifted = Customer.Many(500, seed: 22).Select(c => new Customer { Age = c.Age + 25, Income = c.Income * 1.8f, City = c.City, Label = c.Label }).ToArray();
        await PredictAsync(client, shifted);
        using var drift = await Responses.SuccessfulAsync(client.GetAsync($"/api/monitoring/{Model}/drift?last=500"));
        var report = await drift.Content.ReadFromJsonAsync<JsonElement>();
        var features = report.GetProperty("features").EnumerateArray().ToArray();
        Assert.Equal(["Age", "City", "Income"], features.Select(f => f.GetProperty("feature").GetString()).Order(StringComparer.Ordinal));
        var drifted = features.Where(f => f.GetProperty("drifted").GetBoolean()).Select(f => f.GetProperty("feature").GetString()).ToHashSet();
        Assert.True(drifted.IsSupersetOf(["Age", "Income"]), report.ToString());
    }

    private static Task<List<Guid>> PredictAsync(HttpClient client, Customer[] customers) =>
        LoggedPredictions.PredictAsync(client, Model, customers.Select(c => new Dictionary<string, object> { ["Age"] = c.Age, ["Income"] = c.Income, ["City"] = c.City }).ToArray());
}
