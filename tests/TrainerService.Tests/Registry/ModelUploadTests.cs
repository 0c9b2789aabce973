using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Training;
using MlOps.OnnxTestModels;
using MlOps.TestSupport;
using MlOps.TrainerService.Tests.Training;

namespace MlOps.TrainerService.Tests.Registry;

/// <summary>
/// <c>POST /api/models/{name}/versions</c>: ONNX models made elsewhere (by ML.NET's converter, by hand with the ONNX
/// schema) are loaded, checked against their descriptor, evaluated on a dataset version and registered with their
/// format and descriptor; anything wrong is refused naming the fault, and nothing is half-registered.
/// </summary>
public sealed class ModelUploadTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task An_ml_net_model_is_registered_evaluated_on_the_named_dataset_and_the_same_upload_answers_the_same_version()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        var dataset = await platform.UploadAsync("customers", Customer.Csv(Customer.Many(1_000, seed: 7)));
        var file = ExternalOnnxModels.MlNetCustomerModel();
        using var client = platform.Client();

        using var created = await client.PostAsync("/api/models/buyers/versions", Upload(file, ExternalOnnxModels.MlNetDescriptor("customers")));
        using var again = await client.PostAsync("/api/models/buyers/versions", Upload(file, ExternalOnnxModels.MlNetDescriptor("customers", 1)));

        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var version = (await created.Content.ReadFromJsonAsync<ModelVersionResponse>(Json))!;
        Assert.Equal("/api/models/buyers/versions/1", created.Headers.Location!.OriginalString);
        Assert.Equal(ModelFormats.Onnx, version.Artifact.Format);
        Assert.Equal("onnx", version.Algorithm);
        Assert.Equal("binary", version.Task);
        Assert.Equal("Label", version.Target);
        Assert.Equal(["false", "true"], version.Classes);
        Assert.Equal(
            [("Age", "numeric"), ("Income", "numeric"), ("City", "categorical")],
            version.Inputs.Select(input => (input.Name, input.Type)));
        Assert.Equal(("customers", dataset.Version, dataset.Sha256), (version.Lineage.Dataset, version.Lineage.DatasetVersion, version.Lineage.DatasetSha256));
        Assert.Equal("auc", version.PrimaryMetric.Name);
        Assert.InRange(version.Metrics["auc"], 0.75, 1.0);
        Assert.Equal("PredictedLabel.output", version.Descriptor!.Outputs!.Label);
        Assert.Equal("alice", version.CreatedBy);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, (await again.Content.ReadFromJsonAsync<ModelVersionResponse>(Json))!.Version);

        Assert.Equal(file, await client.GetByteArrayAsync("/api/models/buyers/versions/1/artifact"));
        Assert.Equal(file, await client.GetByteArrayAsync("/api/models/buyers/versions/1/onnx"));
        var reference = await client.GetFromJsonAsync<ReferenceProfile>("/api/models/buyers/versions/1/reference", Json);
        Assert.Equal(["Age", "City", "Income"], reference!.Features.Columns.Select(column => column.Name).Order(StringComparer.Ordinal));
        Assert.Equal(1_000, reference.FeatureSamples!["Age"].Length);
        Assert.Equal(1_000, reference.PredictionSamples!["probability"].Length);
        var job = await platform.GetJobAsync(version.Lineage.JobId);
        Assert.Equal(("succeeded", "onnx", 1), (job.Status, job.Algorithm, job.ModelVersion));
        using var run = await client.GetAsync($"/api/runs/{version.Lineage.RunId}");
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
    }

    [Fact]
    public async Task A_hand_built_graph_over_one_float_tensor_is_registered_with_its_columns_as_named_inputs()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.UploadAsync("churn", ExternalOnnxModels.ChurnCsv(600, seed: 3));
        using var client = platform.Client();

        using var created = await client.PostAsync("/api/models/churn-graph/versions", Upload(ExternalOnnxModels.ChurnGraph(), ExternalOnnxModels.ChurnDescriptor("churn")));

        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var version = (await created.Content.ReadFromJsonAsync<ModelVersionResponse>(Json))!;
        Assert.Equal(["tenure", "complaints", "late_payments"], version.Inputs.Select(input => input.Name));
        Assert.Equal("float_input", version.Descriptor!.FeatureTensor);
        // The labels follow the graph's own rule plus noise: far better than chance, short of perfect.
        Assert.InRange(version.Metrics["accuracy"], 0.7, 0.99);

        // Retraining it the way it was "trained" (what the monitor asks for) is refused, saying why.
        using var retrain = await client.PostAsJsonAsync("/api/training/jobs", new { dataset = "churn", target = "churned", algorithm = "onnx", model = "churn-graph" });
        Assert.Equal(HttpStatusCode.BadRequest, retrain.StatusCode);
        Assert.Contains("made elsewhere", (await retrain.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("algorithm")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_uploads_are_refused_naming_the_fault_and_nothing_is_registered()
    {
        await using var platform = await TrainerPlatform.StartAsync(
            postgres, new Dictionary<string, string> { ["ModelUploads:MaxModelBytes"] = "200000" });
        await platform.UploadAsync("customers", Customer.Csv(Customer.Many(300, seed: 2)));
        await platform.UploadAsync("churn", ExternalOnnxModels.ChurnCsv(100, seed: 1));
        var file = ExternalOnnxModels.MlNetCustomerModel();
        using var client = platform.Client();
        var good = ExternalOnnxModels.MlNetDescriptor("customers");

        await AssertRefusedAsync(client, Upload("not a model"u8.ToArray(), good), HttpStatusCode.UnprocessableEntity, "file", "ONNX Runtime cannot load the file");
        await AssertRefusedAsync(
            client,
            Upload(file, good with { Inputs = [new("Age", "numeric"), new("Income", "numeric"), new("Town", "categorical")] }),
            HttpStatusCode.UnprocessableEntity,
            "inputs[2].graphInput",
            "Town");
        await AssertRefusedAsync(
            client, Upload(file, good with { Inputs = [new("Age", "categorical"), new("Income", "numeric"), new("City", "categorical")] }), HttpStatusCode.UnprocessableEntity, "inputs[0]", "Age");
        await AssertRefusedAsync(client, Upload(file, good with { EvaluateOn = null }), HttpStatusCode.UnprocessableEntity, "evaluateOn", "Name the dataset version");
        await AssertRefusedAsync(
            client, Upload(ExternalOnnxModels.ChurnGraph(), ExternalOnnxModels.ChurnDescriptor("customers")), HttpStatusCode.UnprocessableEntity, "target", "no column 'churned'");
        await AssertRefusedAsync(
            client,
            Upload(file, good with { EvaluateOn = new DatasetVersionSelector("churn", null) }),
            HttpStatusCode.UnprocessableEntity,
            "inputs[0].name",
            "has no column 'Age'");
        await AssertRefusedAsync(client, Upload(file, good with { EvaluateOn = new DatasetVersionSelector("nowhere", null) }), HttpStatusCode.UnprocessableEntity, null, "'nowhere'");
        await AssertRefusedAsync(client, Upload(file, "{\"task\": \"binary\", \"colour\": 1}"), HttpStatusCode.BadRequest, "descriptor", "colour");
        await AssertRefusedAsync(client, Upload(file, "{not json"), HttpStatusCode.BadRequest, "descriptor", "not a descriptor");
        await AssertRefusedAsync(client, Upload(file, (string?)null), HttpStatusCode.BadRequest, "descriptor", "part named 'descriptor'");
        await AssertRefusedAsync(client, Upload(file: null, good), HttpStatusCode.BadRequest, "file", "part named 'file'");
        await AssertRefusedAsync(client, Upload(new byte[200_001], good), HttpStatusCode.RequestEntityTooLarge, null, "ModelUploads:MaxModelBytes");
        await AssertRefusedAsync(client, new ByteArrayContent(file), HttpStatusCode.UnsupportedMediaType, null, "multipart/form-data");
        await AssertRefusedAsync(client, Upload(file, good), HttpStatusCode.BadRequest, null, "not a model name", path: "/api/models/Bad%20Name/versions");
        using (var reader = platform.Client("mlops.read"))
        {
            using var forbidden = await reader.PostAsync("/api/models/buyers/versions", Upload(file, good));
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        using var models = await client.GetAsync("/api/models/buyers");
        Assert.Equal(HttpStatusCode.NotFound, models.StatusCode);
        Assert.Equal(0L, await platform.ScalarAsync("SELECT count(*) FROM trainer.jobs"));
        Assert.Equal(0L, await platform.ScalarAsync("SELECT count(*) FROM trainer.runs"));
    }

    [Fact]
    public async Task A_job_promoting_if_better_scores_an_onnx_production_version_on_its_own_validation_rows()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.UploadAsync("customers", Customer.Csv(Customer.Many(1_500, seed: 11)));
        using var client = platform.Client();
        using var created = await client.PostAsync("/api/models/buyers/versions", Upload(ExternalOnnxModels.MlNetCustomerModel(), ExternalOnnxModels.MlNetDescriptor("customers")));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        using (var admin = platform.Client("mlops.read mlops.admin"))
        {
            using var moved = await admin.PutAsJsonAsync("/api/models/buyers/aliases/production", new { version = 1, reason = "the ML.NET model goes first" });
            Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());
        }

        var job = await platform.WaitForJobAsync((await platform.SubmitAsync(new
        {
            dataset = "customers", target = "Label", task = "binary", algorithm = "logistic-regression", model = "buyers", promote = "if-better",
        })).Id);

        Assert.True(job.Status == "succeeded", job.Error);
        var promotion = job.Promotion!;
        Assert.Equal(1, promotion.PreviousVersion);
        Assert.True(promotion.CurrentValue is > 0.5 and <= 1, promotion.Reason);
        Assert.DoesNotContain("could not be scored", promotion.Reason, StringComparison.Ordinal);
    }

    private static async Task AssertRefusedAsync(
        HttpClient client, HttpContent content, HttpStatusCode status, string? errorKey, string mention, string path = "/api/models/buyers/versions")
    {
        using (content)
        {
            using var response = await client.PostAsync(path, content);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(mention, body, StringComparison.Ordinal);
            if (errorKey is not null)
            {
                var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
                Assert.True(
                    errors.EnumerateObject().Any(error => error.Name.StartsWith(errorKey, StringComparison.Ordinal)),
                    $"no error under '{errorKey}': {body}");
            }
        }
    }

    private static MultipartFormDataContent Upload(byte[]? file, ModelDescriptor descriptor) => ModelUploads.Content(file, descriptor);

    private static MultipartFormDataContent Upload(byte[]? file, string? descriptor) => ModelUploads.Content(file, descriptor);
}
