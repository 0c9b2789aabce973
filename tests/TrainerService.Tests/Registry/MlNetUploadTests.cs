using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.ML;
using MlOps.Contracts.Registry;
using MlOps.OnnxTestModels;
using MlOps.TestSupport;
using MlOps.TrainerService.Tests.Training;

namespace MlOps.TrainerService.Tests.Registry;

/// <summary>
/// <c>POST /api/models/{name}/versions</c> with an ML.NET <c>.zip</c> made elsewhere: its input schema is read from the
/// file and mapped to named inputs (columns by name, a float vector from the columns the descriptor lists), its classes
/// from its keys or the target's values, and it is evaluated and registered; a schema that does not map is refused
/// naming the column and its type.
/// </summary>
public sealed class MlNetUploadTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task An_ml_net_zip_is_registered_with_the_inputs_its_schema_names_and_scores_as_ml_net_does()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        var customers = Customer.Many(1_000, seed: 7);
        await platform.UploadAsync("customers", Customer.Csv(customers));
        var file = ExternalMlNetModels.CustomerZip();
        using var client = platform.Client();

        using var created = await client.PostAsync("/api/models/buyers-zip/versions", ModelUploads.Content(file, ExternalMlNetModels.CustomerDescriptor("customers")));
        using var again = await client.PostAsync("/api/models/buyers-zip/versions", ModelUploads.Content(file, ExternalMlNetModels.CustomerDescriptor("customers", 1)));

        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var version = (await created.Content.ReadFromJsonAsync<ModelVersionResponse>(Json))!;
        Assert.Equal((ModelFormats.MlNet, "mlnet", "binary"), (version.Artifact.Format, version.Algorithm, version.Task));
        Assert.Equal(["false", "true"], version.Classes);
        Assert.Equal([("Age", "numeric"), ("Income", "numeric"), ("City", "categorical")], version.Inputs.Select(input => (input.Name, input.Type)));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(file, await client.GetByteArrayAsync("/api/models/buyers-zip/versions/1/artifact"));

        // The metrics are ML.NET's own predictions on the rows, evaluated here.
        var ml = new MLContext();
        var model = ml.Model.Load(new MemoryStream(file), out _);
        var engine = ml.Model.CreatePredictionEngine<Customer, MlNetVerdict>(model);
        var accuracy = customers.Count(customer => engine.Predict(customer).PredictedLabel == customer.Label) / (double)customers.Length;
        Assert.Equal(accuracy, version.Metrics["accuracy"], 6);
        Assert.InRange(version.Metrics["auc"], 0.75, 1.0);
    }

    [Fact]
    public async Task A_vector_input_is_filled_from_the_columns_the_descriptor_lists_and_a_multiclass_model_names_its_classes_from_its_keys()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.UploadAsync("customers", Customer.Csv(Customer.Many(1_000, seed: 8)));
        using var client = platform.Client();

        var vectorDescriptor = ExternalMlNetModels.CustomerDescriptor("customers") with
        {
            FeatureTensor = "Features",
            Inputs = [new("Age", "numeric"), new("Income", "numeric")],
        };
        using var vector = await client.PostAsync("/api/models/buyers-vector/versions", ModelUploads.Content(ExternalMlNetModels.VectorZip(), vectorDescriptor));
        using var cities = await client.PostAsync(
            "/api/models/cities/versions",
            ModelUploads.Content(ExternalMlNetModels.CityZip(), new ModelDescriptor(null, "City", null, null, EvaluateOn: new("customers", null))));

        Assert.True(vector.StatusCode == HttpStatusCode.Created, await vector.Content.ReadAsStringAsync());
        var vectorVersion = (await vector.Content.ReadFromJsonAsync<ModelVersionResponse>(Json))!;
        Assert.Equal(["Age", "Income"], vectorVersion.Inputs.Select(input => input.Name));
        Assert.InRange(vectorVersion.Metrics["auc"], 0.75, 1.0);

        Assert.True(cities.StatusCode == HttpStatusCode.Created, await cities.Content.ReadAsStringAsync());
        var cityVersion = (await cities.Content.ReadFromJsonAsync<ModelVersionResponse>(Json))!;
        Assert.Equal("multiclass", cityVersion.Task);
        Assert.Equal(Customer.Cities.Order(StringComparer.Ordinal), cityVersion.Classes.Order(StringComparer.Ordinal));
        // Every column of the saved schema but the target is an input, the label of the data it was trained on too.
        Assert.Equal(["Age", "Income", "Label"], cityVersion.Inputs.Select(input => input.Name));
    }

    [Fact]
    public async Task A_zip_that_is_not_an_ml_net_model_or_whose_schema_does_not_map_is_refused_naming_the_column_and_nothing_is_registered()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.UploadAsync("customers", Customer.Csv(Customer.Many(300, seed: 9)));
        using var client = platform.Client();
        var descriptor = ExternalMlNetModels.CustomerDescriptor("customers");

        var notAModel = await RefusedAsync(client, [0x50, 0x4B, 0x03, 0x04, 1, 2, 3], descriptor);
        var dated = await RefusedAsync(client, ExternalMlNetModels.DatedZip(), descriptor);
        var vectorUnnamed = await RefusedAsync(client, ExternalMlNetModels.VectorZip(), descriptor);
        var wrongTask = await RefusedAsync(client, ExternalMlNetModels.CustomerZip(), descriptor with { Task = "regression" });

        Assert.Contains("not an ML.NET model", notAModel["file"][0], StringComparison.Ordinal);
        Assert.Contains("DateTime", dated["schema.Seen"][0], StringComparison.Ordinal);
        Assert.Contains("featureTensor", vectorUnnamed["schema.Features"][0], StringComparison.Ordinal);
        Assert.Contains("binary", wrongTask["task"][0], StringComparison.Ordinal);
        using var missing = await client.GetAsync("/api/models/refused/versions");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static async Task<Dictionary<string, string[]>> RefusedAsync(HttpClient client, byte[] file, ModelDescriptor descriptor)
    {
        using var refused = await client.PostAsync("/api/models/refused/versions", ModelUploads.Content(file, descriptor));
        var body = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.UnprocessableEntity, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("errors").Deserialize<Dictionary<string, string[]>>(Json)!;
    }
}
