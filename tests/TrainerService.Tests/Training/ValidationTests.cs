using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.TestSupport;

namespace MlOps.TrainerService.Tests.Training;

/// <summary>Every way a job request can be wrong is answered 400 with a ProblemDetails naming the field, and nothing is queued.</summary>
public sealed class ValidationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private TrainerPlatform _platform = null!;

    public async Task InitializeAsync()
    {
        _platform = await TrainerPlatform.StartAsync(postgres, withTrainer: false);
        await _platform.AddTrainerAsync(new Dictionary<string, string> { ["Training:Workers"] = "0" });
        await _platform.GenerateAsync("carts", "cart-abandonment", 300);
        await _platform.GenerateAsync("products", "product-category", 300);
        await _platform.GenerateAsync("reviews", "review-sentiment", 300);
    }

    public async Task DisposeAsync() => await _platform.DisposeAsync();

    public static TheoryData<string, string, string> InvalidRequests() => new()
    {
        { """{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression"}""", "model", "model is required" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression","model":"Bad Name"}""", "model", "not a valid model name" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression","model":"changes"}""", "model", "reserved" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"gradient-descent","model":"m"}""", "algorithm", "logistic-regression" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression","model":"m","hyperparameters":{"depth":3}}""", "hyperparameters.depth", "has no hyperparameter 'depth'" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression","model":"m","hyperparameters":{"l2":-1}}""", "hyperparameters.l2", "between 0 and 1000000" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression","model":"m","hyperparameters":{"maxIterations":2.5}}""", "hyperparameters.maxIterations", "whole number" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression","model":"m","hyperparameters":{"standardize":"yes"}}""", "hyperparameters.standardize", "true or false" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression","model":"m","hyperparameters":{"validationFraction":0.9}}""", "hyperparameters.validationFraction", "between 0.05 and 0.5" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression","model":"m","promote":"sometimes"}""", "promote", "never, if-better, always" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression","model":"m","task":"ranking"}""", "task", "binary, multiclass, regression" },
        { """{"dataset":"nowhere","target":"abandoned","algorithm":"logistic-regression","model":"m"}""", "dataset", "'nowhere' does not exist" },
        { """{"dataset":"carts","datasetVersion":7,"target":"abandoned","algorithm":"logistic-regression","model":"m"}""", "datasetVersion", "no version 7" },
        { """{"dataset":"carts","target":"churned","algorithm":"logistic-regression","model":"m"}""", "target", "'churned' is not a column" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"linear-regression","model":"m"}""", "algorithm", "handles regression, not binary" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression","model":"m","task":"regression"}""", "task", "Regression needs a numeric target" },
        { """{"dataset":"products","target":"category","algorithm":"logistic-regression","model":"m","task":"binary"}""", "task", "exactly two classes" },
        { """{"dataset":"reviews","target":"text","algorithm":"logistic-regression","model":"m"}""", "task", "free text" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"logistic-regression","model":"m","primaryMetric":"rmse"}""", "primaryMetric", "auc, accuracy" },
        { """{"dataset":"reviews","target":"sentiment","algorithm":"gbdt","model":"m","hyperparameters":{"textHashBits":22}}""", "hyperparameters.textHashBits", "textHashBits must be" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"random-forest","model":"m","hyperparameters":{"numLeaves":1}}""", "hyperparameters.numLeaves", "numLeaves must be" },
        { """{"dataset":"carts","target":"abandoned","algorithm":"random-forest","model":"m","hyperparameters":{"learningRate":0.1}}""", "hyperparameters.learningRate", "'random-forest' has no hyperparameter 'learningRate'" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task An_invalid_request_is_refused_with_the_field_and_the_reason(string body, string field, string reason)
    {
        using var client = _platform.Client();
        var jobsBefore = await _platform.ScalarAsync("SELECT count(*) FROM trainer.jobs");

        using var response = await client.PostAsync("/api/training/jobs", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var messages = problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()).ToArray();
        Assert.Contains(messages, message => message!.Contains(reason, StringComparison.Ordinal));
        Assert.Equal(jobsBefore, await _platform.ScalarAsync("SELECT count(*) FROM trainer.jobs"));
    }

    [Fact]
    public async Task Submitting_needs_the_train_scope_and_reading_the_read_scope()
    {
        using var anonymous = _platform.Trainer.CreateClient();
        using var reader = _platform.Client("mlops.read");
        using var trainer = _platform.Client("mlops.train");
        var request = new { dataset = "carts", target = "abandoned", algorithm = "logistic-regression", model = "m" };

        using var noToken = await anonymous.PostAsJsonAsync("/api/training/jobs", request);
        using var readOnly = await reader.PostAsJsonAsync("/api/training/jobs", request);
        using var listWithoutRead = await trainer.GetAsync("/api/training/jobs");

        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, readOnly.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, listWithoutRead.StatusCode);
    }

    [Fact]
    public async Task Unknown_jobs_runs_and_models_are_404_problems()
    {
        using var client = _platform.Client();

        foreach (var path in new[] { $"/api/training/jobs/{Guid.NewGuid()}", $"/api/runs/{Guid.NewGuid()}", "/api/models/none", "/api/models/none/versions/1" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
    }

    [Fact]
    public async Task The_algorithms_list_names_each_hyperparameter_with_its_range()
    {
        using var client = _platform.Client("mlops.read");

        var algorithms = await client.GetFromJsonAsync<JsonElement>("/api/training/algorithms");

        var logistic = algorithms.EnumerateArray().Single(a => a.GetProperty("name").GetString() == "logistic-regression");
        Assert.Equal(["binary", "multiclass"], logistic.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()));
        var l2 = logistic.GetProperty("hyperparameters").EnumerateArray().Single(h => h.GetProperty("name").GetString() == "l2");
        Assert.Equal(("number", "1", 0.0), (l2.GetProperty("type").GetString(), l2.GetProperty("default").GetString(), l2.GetProperty("minimum").GetDouble()));
    }

    [Fact]
    public async Task Job_lists_are_paged_and_filtered_by_status_and_model()
    {
        using var client = _platform.Client();
        for (var i = 0; i < 3; i++)
        {
            await _platform.SubmitAsync(new { dataset = "carts", target = "abandoned", algorithm = "logistic-regression", model = i == 0 ? "other" : "paged" }, client);
        }

        var first = await client.GetFromJsonAsync<JsonElement>("/api/training/jobs?model=paged&status=queued&limit=1");
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await client.GetFromJsonAsync<JsonElement>($"/api/training/jobs?model=paged&status=queued&limit=1&cursor={cursor}");
        using var badStatus = await client.GetAsync("/api/training/jobs?status=done");

        var ids = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(j => j.GetProperty("id").GetGuid()).ToArray();
        Assert.Equal(2, ids.Distinct().Count());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
    }
}
