using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Training;
using MlOps.Mlflow;
using MlOps.OnnxTestModels;
using MlOps.TestSupport;

namespace MlOps.TrainerService.Tests.Training;

public sealed class MlflowImportTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Carts = "carts";

    [Fact]
    public async Task A_version_logged_to_mlflow_elsewhere_is_imported_evaluated_again_and_mapped_so_alias_moves_reach_it()
    {
        await using var mlflow = await FakeMlflow.StartAsync();
        await using var platform = await StartAsync(mlflow);
        var trained = await TrainAsync(platform, mlflow);
        var first = await VersionAsync(platform, 1);
        var modelFile = await ModelFileAsync(platform, 1);

        var logged = await LogElsewhereAsync(mlflow, modelFile, MirroredTags(mlflow), MirroredParams(mlflow));
        using var client = platform.Client();
        using var response = await client.PostAsJsonAsync("/api/models/import/mlflow", new { model = Carts, mlflowVersion = logged });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var imported = (await response.Content.ReadFromJsonAsync<ModelVersionResponse>())!;
        Assert.Equal("/api/models/carts/versions/2", response.Headers.Location?.ToString());
        Assert.Equal(2, imported.Version);
        // The same model on the same data and validation rows: the metrics computed again are the trained ones.
        Assert.Equal(first.Metrics, imported.Metrics);
        Assert.Equal(first.Artifact.Sha256, imported.Artifact.Sha256);
        Assert.Equal((Carts, 1, first.Lineage.DatasetSha256), (imported.Lineage.Dataset, imported.Lineage.DatasetVersion, imported.Lineage.DatasetSha256));
        Assert.Equal(JsonSerializer.Serialize(first.Inputs), JsonSerializer.Serialize(imported.Inputs));
        var job = await platform.GetJobAsync(imported.Lineage.JobId);
        Assert.Equal(("succeeded", "logistic-regression", "never"), (job.Status, job.Algorithm, job.Promote));
        Assert.Equal(trained.Hyperparameters, job.Hyperparameters);
        var run = (await client.GetFromJsonAsync<RunResponse>($"/api/runs/{imported.Lineage.RunId}"))!;
        Assert.Equal($"mlflow import of carts version {logged}", run.Worker);
        using (var reference = await client.GetAsync("/api/models/carts/versions/2/reference"))
        {
            Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        }

        using var again = await client.PostAsJsonAsync("/api/models/import/mlflow", new { model = Carts, mlflowVersion = logged });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(2, (await again.Content.ReadFromJsonAsync<ModelVersionResponse>())!.Version);
        using var mirrored = await client.PostAsJsonAsync("/api/models/import/mlflow", new { model = Carts, mlflowVersion = "1" });
        Assert.Equal(HttpStatusCode.OK, mirrored.StatusCode);
        Assert.Equal(1, (await mirrored.Content.ReadFromJsonAsync<ModelVersionResponse>())!.Version);

        using var admin = platform.Client("mlops.read mlops.admin");
        using var moved = await admin.PutAsJsonAsync("/api/models/carts/aliases/production", new { version = 2 });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        await Eventually.HoldsAsync(() => mlflow.AliasOf(Carts, "production") == logged, "production in MLflow on the imported version");
        await Eventually.HoldsAsync(async () => await platform.ScalarAsync("SELECT count(*) FROM trainer.mlflow_outbox WHERE sent_at IS NULL") is 0L);
        Assert.Equal(["1", logged], mlflow.VersionsOf(Carts).Select(v => (string)v["version"]!));
        Assert.Equal(0L, await platform.ScalarAsync("SELECT count(*) FROM trainer.mlflow_outbox WHERE last_error IS NOT NULL"));
    }

    [Fact]
    public async Task What_cannot_be_imported_is_refused_with_a_problem_that_says_why()
    {
        await using var mlflow = await FakeMlflow.StartAsync();
        await using var platform = await StartAsync(mlflow);
        await TrainAsync(platform, mlflow);
        using var client = platform.Client();

        await ExpectProblemAsync(client, new { mlflowVersion = "1" }, HttpStatusCode.BadRequest, "model");
        await ExpectProblemAsync(client, new { model = Carts, mlflowVersion = "1", mlflowAlias = "champion" }, HttpStatusCode.BadRequest, "exactly one");
        await ExpectProblemAsync(client, new { model = Carts, mlflowVersion = "x" }, HttpStatusCode.BadRequest, "'x' is not an MLflow version number");
        await ExpectProblemAsync(client, new { model = Carts, mlflowVersion = "1", datasetVersion = 1 }, HttpStatusCode.BadRequest, "datasetVersion goes with dataset");
        await ExpectProblemAsync(client, new { model = Carts, mlflowVersion = "9" }, HttpStatusCode.NotFound, "no version 9 of 'carts'");
        await ExpectProblemAsync(client, new { model = Carts, mlflowAlias = "champion" }, HttpStatusCode.NotFound, "alias 'champion'");

        var notOurs = await LogElsewhereAsync(mlflow, Encoding.UTF8.GetBytes("""{"format": "pickle"}"""), MirroredTags(mlflow), []);
        await ExpectProblemAsync(client, new { model = Carts, mlflowVersion = notOurs }, HttpStatusCode.UnprocessableEntity, "is not one of our model files");

        var modelFile = await ModelFileAsync(platform, 1);
        var untagged = await LogElsewhereAsync(mlflow, modelFile, [], []);
        await ExpectProblemAsync(client, new { model = Carts, mlflowVersion = untagged }, HttpStatusCode.UnprocessableEntity, "does not say which dataset version");
        await ExpectProblemAsync(client, new { model = Carts, mlflowVersion = untagged, dataset = "nothing-here" }, HttpStatusCode.UnprocessableEntity, "'nothing-here' is not in the data service");

        // Named explicitly, a dataset the model was not trained on is scored whole (no split to reproduce).
        await platform.GenerateAsync("carts-later", "cart-abandonment", 600, seed: 7);
        using (var response = await client.PostAsJsonAsync("/api/models/import/mlflow", new { model = Carts, mlflowVersion = untagged, dataset = "carts-later" }))
        {
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            var imported = (await response.Content.ReadFromJsonAsync<ModelVersionResponse>())!;
            Assert.Equal(("carts-later", 1), (imported.Lineage.Dataset, imported.Lineage.DatasetVersion));
            var first = await VersionAsync(platform, 1);
            Assert.NotEqual(first.Metrics["auc"], imported.Metrics["auc"]);
            var job = await platform.GetJobAsync(imported.Lineage.JobId);
            Assert.Equal("logistic-regression", job.Algorithm);
        }

        mlflow.Unavailable = true;
        await ExpectProblemAsync(client, new { model = Carts, mlflowVersion = "1" }, HttpStatusCode.ServiceUnavailable, "MLflow could not be reached");
        mlflow.Unavailable = false;

        using var reader = platform.Client("mlops.read");
        using var forbidden = await reader.PostAsJsonAsync("/api/models/import/mlflow", new { model = Carts, mlflowVersion = "1" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task A_version_with_the_onnx_flavor_is_imported_with_its_inputs_from_the_mlmodel_signature()
    {
        await using var mlflow = await FakeMlflow.StartAsync();
        await using var platform = await StartAsync(mlflow);
        await platform.UploadAsync("customers", Customer.Csv(Customer.Many(800, seed: 4)));
        await platform.UploadAsync("churn", ExternalOnnxModels.ChurnCsv(400, seed: 4));
        using var client = platform.Client();
        var buyers = await LogOnnxAsync(mlflow, "buyers", Mlmodel("""[{"type": "float", "name": "Age", "required": true}, {"type": "float", "name": "Income", "required": true}, {"type": "string", "name": "City", "required": true}]"""), ExternalOnnxModels.MlNetCustomerModel());
        var reading = new
        {
            task = "binary", target = "Label", classes = new[] { "false", "true" }, outputs = new { label = "PredictedLabel.output", probabilities = "Probability.output" },
        };

        await ExpectProblemAsync(client, new { model = "buyers", mlflowVersion = buyers, dataset = "customers" }, HttpStatusCode.UnprocessableEntity, "onnx flavor");
        using var response = await client.PostAsJsonAsync("/api/models/import/mlflow", new { model = "buyers", mlflowVersion = buyers, dataset = "customers", onnx = reading });
        using var again = await client.PostAsJsonAsync("/api/models/import/mlflow", new { model = "buyers", mlflowVersion = buyers, dataset = "customers", onnx = reading });

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var imported = (await response.Content.ReadFromJsonAsync<ModelVersionResponse>())!;
        Assert.Equal(ModelFormats.Onnx, imported.Artifact.Format);
        Assert.Equal([("Age", "numeric"), ("Income", "numeric"), ("City", "categorical")], imported.Inputs.Select(input => (input.Name, input.Type)));
        Assert.Null(imported.Descriptor!.FeatureTensor);
        Assert.InRange(imported.Metrics["auc"], 0.75, 1);
        var run = (await client.GetFromJsonAsync<RunResponse>($"/api/runs/{imported.Lineage.RunId}"))!;
        Assert.Equal($"mlflow import of buyers version {buyers}", run.Worker);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(imported.Version, (await again.Content.ReadFromJsonAsync<ModelVersionResponse>())!.Version);

        // Columns that all feed the graph's one input are read as its feature tensor, as MLflow's pyfunc feeds them.
        var churnReading = new { task = "binary", target = "churned", classes = new[] { "stay", "leave" }, outputs = new { probabilities = "probability" } };
        var churn = await LogOnnxAsync(mlflow, "churners", Mlmodel("""[{"type": "long", "name": "tenure"}, {"type": "long", "name": "complaints"}, {"type": "long", "name": "late_payments"}]"""), ExternalOnnxModels.ChurnGraph());
        using var tensor = await client.PostAsJsonAsync("/api/models/import/mlflow", new
        {
            model = "churners", mlflowVersion = churn, dataset = "churn",
            onnx = churnReading,
        });
        Assert.True(tensor.StatusCode == HttpStatusCode.Created, await tensor.Content.ReadAsStringAsync());
        Assert.Equal("float_input", (await tensor.Content.ReadFromJsonAsync<ModelVersionResponse>())!.Descriptor!.FeatureTensor);

        // A tensor-based signature names no columns.
        var unnamed = await LogOnnxAsync(mlflow, "unnamed", Mlmodel("""[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]"""), ExternalOnnxModels.ChurnGraph());
        await ExpectProblemAsync(
            client,
            new { model = "unnamed", mlflowVersion = unnamed, dataset = "churn", onnx = churnReading },
            HttpStatusCode.UnprocessableEntity,
            "tensor-based");
    }

    /// <summary>The MLmodel file mlflow.onnx.log_model writes, with a signature whose inputs are <paramref name="inputs"/>.</summary>
    private static string Mlmodel(string inputs) => $"""
        artifact_path: model
        flavors:
          onnx:
            code: null
            data: model.onnx
            onnx_version: 1.16.0
            providers:
            - CUDAExecutionProvider
            - CPUExecutionProvider
          python_function:
            data: model.onnx
            env:
              conda: conda.yaml
              virtualenv: python_env.yaml
            loader_module: mlflow.onnx
            python_version: 3.11.4
        mlflow_version: 2.16.0
        model_uuid: 6e0c1f7a2b6e4c5d8f9a0b1c2d3e4f50
        signature:
          inputs: '{inputs}'
          outputs: null
          params: null
        utc_time_created: '2026-12-01 10:00:00.000000'
        """;

    /// <summary>What mlflow.onnx.log_model and register_model do: MLmodel and model.onnx under model/, a new version from runs:/…/model.</summary>
    private static async Task<string> LogOnnxAsync(FakeMlflow mlflow, string model, string mlmodel, byte[] onnx)
    {
        var client = new MlflowClient(mlflow.Client(), TimeProvider.System);
        var experiment = await client.GetOrCreateExperimentAsync("notebooks", CancellationToken.None);
        var run = await client.CreateRunAsync(experiment, "onnx", DateTimeOffset.UtcNow, [], CancellationToken.None);
        await client.UploadArtifactAsync($"{experiment}/{run.RunId}/artifacts/model/MLmodel", new MemoryStream(Encoding.UTF8.GetBytes(mlmodel)), "text/plain", CancellationToken.None);
        await client.UploadArtifactAsync($"{experiment}/{run.RunId}/artifacts/model/model.onnx", new MemoryStream(onnx), "application/octet-stream", CancellationToken.None);
        await client.UpdateRunAsync(run.RunId, MlflowRunStatus.Finished, DateTimeOffset.UtcNow, CancellationToken.None);
        await client.EnsureRegisteredModelAsync(model, CancellationToken.None);
        var version = await client.CreateModelVersionAsync(model, $"runs:/{run.RunId}/model", run.RunId, CancellationToken.None);
        await client.WaitUntilReadyAsync(model, version.Version, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10), CancellationToken.None);
        return version.Version;
    }

    [Fact]
    public async Task Without_an_mlflow_server_the_import_says_it_is_not_configured()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        using var client = platform.Client();
        await ExpectProblemAsync(client, new { model = Carts, mlflowVersion = "1" }, HttpStatusCode.ServiceUnavailable, "MLflow__TrackingUri");
    }

    [Fact]
    public async Task Production_follows_an_mlflow_alias_importing_the_version_it_points_at()
    {
        await using var mlflow = await FakeMlflow.StartAsync();
        await using var platform = await StartAsync(mlflow, new Dictionary<string, string>
        {
            ["MLflow:Follow:0:Model"] = Carts,
            ["MLflow:Follow:0:MlflowAlias"] = "champion",
            ["MLflow:FollowInterval"] = "00:00:00.200",
        });
        await TrainAsync(platform, mlflow);
        var logged = await LogElsewhereAsync(mlflow, await ModelFileAsync(platform, 1), MirroredTags(mlflow), MirroredParams(mlflow));
        using var client = platform.Client();
        Assert.Equal(1, await ProductionAsync(client));

        var admin = new MlflowClient(mlflow.Client(), TimeProvider.System);
        await admin.SetAliasAsync(Carts, "champion", logged, CancellationToken.None);
        await Eventually.HoldsAsync(async () => await ProductionAsync(client) == 2, "production following champion to the imported version");
        var history = (await client.GetFromJsonAsync<JsonElement>("/api/models/carts/alias-history?alias=production")).GetProperty("items");
        Assert.Equal("mlflow", history[0].GetProperty("actor").GetString());
        Assert.Contains($"Follows MLflow alias 'champion' of 'carts', which points at MLflow version {logged}", history[0].GetProperty("reason").GetString());
        Assert.Equal("mlflow", (await VersionAsync(platform, 2)).CreatedBy);

        await admin.SetAliasAsync(Carts, "champion", "1", CancellationToken.None);
        await Eventually.HoldsAsync(async () => await ProductionAsync(client) == 1, "production following champion back to the mirrored version");
        await admin.DeleteAliasAsync(Carts, "champion", CancellationToken.None);
        // Two more reads of the alias: the follower has made at least one whole pass since it was removed.
        var readsBefore = AliasReads(mlflow);
        await Eventually.HoldsAsync(() => AliasReads(mlflow) >= readsBefore + 2, "the follower reading the removed alias");
        Assert.Equal(1, await ProductionAsync(client));
        Assert.Equal(2L, await platform.ScalarAsync("SELECT count(*) FROM trainer.model_versions WHERE model = 'carts'"));
    }

    private async Task<TrainerPlatform> StartAsync(FakeMlflow mlflow, IDictionary<string, string>? settings = null)
    {
        var platform = await TrainerPlatform.StartAsync(postgres, withTrainer: false);
        var all = new Dictionary<string, string>
        {
            ["MLflow:TrackingUri"] = mlflow.Address.ToString(),
            ["MLflow:PollInterval"] = "00:00:00.100",
            ["MLflow:MaxRetryInterval"] = "00:00:00.500",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        await platform.AddTrainerAsync(all);
        return platform;
    }

    /// <summary>Trains version 1 of carts, promoted, and waits until the mirror has it in MLflow.</summary>
    private static async Task<TrainingJobResponse> TrainAsync(TrainerPlatform platform, FakeMlflow mlflow)
    {
        await platform.GenerateAsync(Carts, "cart-abandonment", 1500);
        var accepted = await platform.SubmitAsync(new { dataset = Carts, target = "abandoned", algorithm = "logistic-regression", model = Carts, promote = "always", hyperparameters = new { l2 = 0.5 } });
        var job = await platform.WaitForJobAsync(accepted.Id);
        Assert.True(job.Status == "succeeded", job.Error);
        await Eventually.HoldsAsync(() => mlflow.AliasOf(Carts, "production") == "1", "the mirror registering version 1");
        return job;
    }

    /// <summary>
    /// What another installation of ours (or a notebook) does: a run in an experiment of its own with the model file at
    /// <c>model/model.json</c>, registered as a new version of carts from <c>runs:/…/model</c>. Answers the version.
    /// </summary>
    private static async Task<string> LogElsewhereAsync(
        FakeMlflow mlflow, byte[] modelFile, IReadOnlyList<MlflowKeyValue> tags, IReadOnlyList<MlflowKeyValue> parameters)
    {
        var client = new MlflowClient(mlflow.Client(), TimeProvider.System);
        var experiment = await client.GetOrCreateExperimentAsync("elsewhere", CancellationToken.None);
        var run = await client.CreateRunAsync(experiment, "notebook", DateTimeOffset.UtcNow, tags, CancellationToken.None);
        await client.LogBatchAsync(run.RunId, [], parameters, [], CancellationToken.None);
        await client.UploadArtifactAsync($"{experiment}/{run.RunId}/artifacts/model/model.json", new MemoryStream(modelFile), "application/json", CancellationToken.None);
        await client.UpdateRunAsync(run.RunId, MlflowRunStatus.Finished, DateTimeOffset.UtcNow, CancellationToken.None);
        var version = await client.CreateModelVersionAsync(Carts, $"runs:/{run.RunId}/model", run.RunId, CancellationToken.None);
        await client.WaitUntilReadyAsync(Carts, version.Version, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10), CancellationToken.None);
        return version.Version;
    }

    private static JsonElement MirroredData(FakeMlflow mlflow) =>
        JsonSerializer.SerializeToElement(mlflow.Runs.Values.Single(r => r["data"]!["tags"]!.AsArray().Any(t => (string)t!["key"]! == "mlops.run_id"))["data"]);

    private static List<MlflowKeyValue> MirroredTags(FakeMlflow mlflow) =>
        [.. MirroredData(mlflow).GetProperty("tags").EnumerateArray().Select(t => new MlflowKeyValue(t.GetProperty("key").GetString()!, t.GetProperty("value").GetString()!))];

    private static List<MlflowKeyValue> MirroredParams(FakeMlflow mlflow) =>
        [.. MirroredData(mlflow).GetProperty("params").EnumerateArray().Select(t => new MlflowKeyValue(t.GetProperty("key").GetString()!, t.GetProperty("value").GetString()!))];

    private static int AliasReads(FakeMlflow mlflow) =>
        mlflow.Requests.Count(r => r.Method == "GET" && r.PathAndQuery.StartsWith("/api/2.0/mlflow/registered-models/alias?name=carts&alias=champion", StringComparison.Ordinal));

    private static async Task<byte[]> ModelFileAsync(TrainerPlatform platform, int version)
    {
        using var client = platform.Client();
        return await client.GetByteArrayAsync($"/api/models/carts/versions/{version}/artifact");
    }

    private static async Task<ModelVersionResponse> VersionAsync(TrainerPlatform platform, int version)
    {
        using var client = platform.Client();
        return (await client.GetFromJsonAsync<ModelVersionResponse>($"/api/models/carts/versions/{version}"))!;
    }

    private static async Task<int?> ProductionAsync(HttpClient client)
    {
        var model = await client.GetFromJsonAsync<ModelResponse>("/api/models/carts");
        return model!.Aliases.TryGetValue("production", out var version) ? version : null;
    }

    private static async Task ExpectProblemAsync(HttpClient client, object request, HttpStatusCode status, string mentions)
    {
        using var response = await client.PostAsJsonAsync("/api/models/import/mlflow", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(mentions, body);
    }
}
