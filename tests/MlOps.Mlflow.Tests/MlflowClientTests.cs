using System.Text;
using MlOps.TestSupport;

namespace MlOps.Mlflow.Tests;

public sealed class MlflowClientTests : IAsyncLifetime
{
    private FakeMlflow _mlflow = null!;
    private HttpClient _http = null!;
    private MlflowClient _client = null!;

    public async Task InitializeAsync()
    {
        _mlflow = await FakeMlflow.StartAsync();
        _http = _mlflow.Client();
        _client = new MlflowClient(_http, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _mlflow.DisposeAsync();
    }

    [Fact]
    public async Task An_experiment_is_looked_up_by_name_and_created_once()
    {
        var first = await _client.GetOrCreateExperimentAsync("cart abandonment", CancellationToken.None);
        var second = await _client.GetOrCreateExperimentAsync("cart abandonment", CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal(
            [
                "GET /api/2.0/mlflow/experiments/get-by-name?experiment_name=cart%20abandonment ",
                """POST /api/2.0/mlflow/experiments/create {"name":"cart abandonment"}""",
                "GET /api/2.0/mlflow/experiments/get-by-name?experiment_name=cart%20abandonment ",
            ],
            _mlflow.Requests.Select(r => $"{r.Method} {r.PathAndQuery} {r.Body}"));
        Assert.Null(await _client.GetExperimentByNameAsync("nothing", CancellationToken.None));
    }

    [Fact]
    public async Task A_run_is_created_with_its_tags_and_start_time_and_ended_with_its_status()
    {
        var experiment = await _client.GetOrCreateExperimentAsync("e", CancellationToken.None);
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

        var run = await _client.CreateRunAsync(experiment, "job-1", start, [new("mlops.run_id", "r-1"), new("dataset", "carts")], CancellationToken.None);
        var ended = await _client.UpdateRunAsync(run.RunId, MlflowRunStatus.Finished, start.AddSeconds(5), CancellationToken.None);

        var requests = _mlflow.Requests.ToArray()[^2..];
        Assert.Equal(
            $$"""{"experiment_id":"{{experiment}}","run_name":"job-1","start_time":1700000000123,"tags":[{"key":"mlops.run_id","value":"r-1"},{"key":"dataset","value":"carts"}]}""",
            requests[0].Body);
        Assert.Equal($$"""{"run_id":"{{run.RunId}}","status":"FINISHED","end_time":1700000005123}""", requests[1].Body);
        Assert.Equal(("RUNNING", "FINISHED"), (run.Status, ended.Status));
        Assert.Equal($"mlflow-artifacts:/{experiment}/{run.RunId}/artifacts", run.ArtifactUri);
    }

    [Fact]
    public async Task A_large_batch_is_split_within_mlflows_limits_and_every_entity_arrives_once_in_order()
    {
        var run = await NewRunAsync();
        var metrics = Enumerable.Range(0, 2_500).Select(i => new MlflowMetric("loss", 1.0 / (i + 1), 1_700_000_000_000 + i, i)).ToArray();
        var parameters = Enumerable.Range(0, 150).Select(i => new MlflowKeyValue($"p{i:000}", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        var tags = Enumerable.Range(0, 30).Select(i => new MlflowKeyValue($"t{i}", "x")).ToArray();

        var requests = await _client.LogBatchAsync(run, metrics, parameters, tags, CancellationToken.None);

        // 150 params need two requests; 1,000 entities a request make the rest: 100 + 30 + 870, 50 + 950, 680.
        Assert.Equal(3, requests);
        var batches = _mlflow.Requests.Where(r => r.PathAndQuery.EndsWith("log-batch", StringComparison.Ordinal)).Select(r => r.Json!).ToArray();
        Assert.Equal([(870, 100, 30), (950, 50, 0), (680, 0, 0)], batches.Select(b => (b["metrics"]!.AsArray().Count, b["params"]!.AsArray().Count, b["tags"]!.AsArray().Count)));
        var data = _mlflow.Runs[run]["data"]!;
        Assert.Equal(metrics.Select(m => m.Step), data["metrics"]!.AsArray().Select(m => (long)m!["step"]!));
        Assert.Equal(parameters.Select(p => p.Key), data["params"]!.AsArray().Select(p => (string)p!["key"]!));
        Assert.Equal(30, data["tags"]!.AsArray().Count);
    }

    [Fact]
    public async Task Nothing_to_log_sends_nothing()
    {
        var run = await NewRunAsync();
        var before = _mlflow.Requests.Count;

        Assert.Equal(0, await _client.LogBatchAsync(run, [], [], [], CancellationToken.None));
        Assert.Equal(before, _mlflow.Requests.Count);
    }

    [Fact]
    public async Task A_batch_over_a_megabyte_is_split_by_size()
    {
        var run = await NewRunAsync();
        var parameters = Enumerable.Range(0, 100).Select(i => new MlflowKeyValue($"p{i}", new string('v', 6_000))).ToArray();
        var tags = Enumerable.Range(0, 100).Select(i => new MlflowKeyValue($"t{i}", new string('w', 5_000))).ToArray();

        var requests = await _client.LogBatchAsync(run, [], parameters, tags, CancellationToken.None);

        Assert.Equal(2, requests);
        Assert.All(_mlflow.Requests.Where(r => r.PathAndQuery.EndsWith("log-batch", StringComparison.Ordinal)), r => Assert.True(Encoding.UTF8.GetByteCount(r.Body) <= 1_048_576));
        Assert.Equal((100, 100), (_mlflow.Runs[run]["data"]!["params"]!.AsArray().Count, _mlflow.Runs[run]["data"]!["tags"]!.AsArray().Count));
    }

    [Fact]
    public async Task Mlflows_errors_arrive_as_exceptions_with_its_code_message_and_status()
    {
        var error = await Assert.ThrowsAsync<MlflowException>(() =>
            _client.LogBatchAsync("no-such-run", [new MlflowMetric("m", 1, 0, 0)], [], [], CancellationToken.None));

        Assert.Equal((MlflowException.ResourceDoesNotExist, 404, "Run 'no-such-run' not found"), (error.ErrorCode, error.StatusCode, error.MlflowMessage));
    }

    [Fact]
    public async Task An_artifact_is_uploaded_through_the_proxy_to_its_path()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"format":"mlops-model"}""");

        await _client.UploadArtifactAsync("1/abc/artifacts/model/model file.json", new MemoryStream(bytes), "application/json", CancellationToken.None);

        var request = Assert.Single(_mlflow.Requests);
        Assert.Equal(("PUT", "/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model/model%20file.json"), (request.Method, request.PathAndQuery));
        Assert.Equal(bytes, _mlflow.Artifacts["1/abc/artifacts/model/model file.json"]);
    }

    [Fact]
    public async Task A_model_version_is_registered_polled_until_ready_and_aliased()
    {
        await _client.EnsureRegisteredModelAsync("carts", CancellationToken.None);
        await _client.EnsureRegisteredModelAsync("carts", CancellationToken.None);
        var created = await _client.CreateModelVersionAsync("carts", "runs:/abc/model", "abc", CancellationToken.None);

        var ready = await _client.WaitUntilReadyAsync("carts", created.Version, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10), CancellationToken.None);
        await _client.SetAliasAsync("carts", "production", ready.Version, CancellationToken.None);
        var aliased = await _client.GetModelVersionByAliasAsync("carts", "production", CancellationToken.None);
        await _client.DeleteAliasAsync("carts", "production", CancellationToken.None);

        Assert.Equal(("1", "PENDING_REGISTRATION", "READY"), (created.Version, created.Status, ready.Status));
        Assert.Equal(3, _mlflow.Requests.Count(r => r.PathAndQuery.StartsWith("/api/2.0/mlflow/model-versions/get?", StringComparison.Ordinal)));
        Assert.Equal(["production"], aliased!.Aliases!);
        Assert.Equal(("runs:/abc/model", "abc"), (aliased.Source, aliased.RunId));
        Assert.Null(await _client.GetModelVersionByAliasAsync("carts", "production", CancellationToken.None));
        var delete = _mlflow.Requests.Single(r => r.Method == "DELETE");
        Assert.Equal("""{"name":"carts","alias":"production"}""", delete.Body);
        Assert.Equal(2, _mlflow.Requests.Count(r => r.PathAndQuery == "/api/2.0/mlflow/registered-models/create"));
    }

    [Fact]
    public async Task Waiting_for_a_version_that_stays_pending_times_out()
    {
        _mlflow.PendingPolls = int.MaxValue;
        await _client.EnsureRegisteredModelAsync("slow", CancellationToken.None);
        var created = await _client.CreateModelVersionAsync("slow", "runs:/abc/model", null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            _client.WaitUntilReadyAsync("slow", created.Version, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100), CancellationToken.None));

        Assert.Contains("still PENDING_REGISTRATION", error.Message, StringComparison.Ordinal);
    }

    private async Task<string> NewRunAsync()
    {
        var experiment = await _client.GetOrCreateExperimentAsync("e", CancellationToken.None);
        return (await _client.CreateRunAsync(experiment, "r", DateTimeOffset.UnixEpoch, [], CancellationToken.None)).RunId;
    }
    [Fact]
    public async Task A_run_is_read_with_its_params_and_tags_and_an_unknown_run_is_null()
    {
        var experiment = await _client.GetOrCreateExperimentAsync("carts", CancellationToken.None);
        var run = await _client.CreateRunAsync(experiment, "carts v1", DateTimeOffset.UnixEpoch, [new("mlops.dataset", "carts")], CancellationToken.None);
        await _client.LogBatchAsync(run.RunId, [], [new("l2", "0.5")], [], CancellationToken.None);

        var read = await _client.GetRunAsync(run.RunId, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(($"mlflow-artifacts:/{experiment}/{run.RunId}/artifacts", "0.5", "carts"), (read.Info.ArtifactUri, read.Params["l2"], read.Tags["mlops.dataset"]));
        Assert.Equal($"GET /api/2.0/mlflow/runs/get?run_id={run.RunId}", _mlflow.Requests.Select(r => $"{r.Method} {r.PathAndQuery}").Last());
        Assert.Null(await _client.GetRunAsync("0123456789abcdef", CancellationToken.None));
    }

    [Fact]
    public async Task An_artifact_is_downloaded_through_the_proxy_within_a_size_limit()
    {
        var content = Encoding.UTF8.GetBytes(new string('x', 10_000));
        await _client.UploadArtifactAsync("1/abc/artifacts/model/model.json", new MemoryStream(content), "application/json", CancellationToken.None);

        Assert.Equal(content, await _client.DownloadArtifactAsync("1/abc/artifacts/model/model.json", 10_000, CancellationToken.None));
        var tooLarge = await Assert.ThrowsAsync<MlflowException>(() => _client.DownloadArtifactAsync("1/abc/artifacts/model/model.json", 9_999, CancellationToken.None));
        Assert.Equal(MlflowException.ArtifactTooLarge, tooLarge.ErrorCode);
        var missing = await Assert.ThrowsAsync<MlflowException>(() => _client.DownloadArtifactAsync("1/abc/artifacts/none.json", 10, CancellationToken.None));
        Assert.Equal((MlflowException.ResourceDoesNotExist, 404), (missing.ErrorCode, missing.StatusCode));
        Assert.Equal("GET /api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model/model.json", _mlflow.Requests.Where(r => r.Method == "GET").Select(r => $"{r.Method} {r.PathAndQuery}").First());
    }

    [Theory]
    [InlineData("mlflow-artifacts:/1/abc/artifacts", "1/abc/artifacts")]
    [InlineData("mlflow-artifacts://mlflow:5000/1/abc/artifacts/", "1/abc/artifacts")]
    [InlineData("s3://bucket/1/abc/artifacts", null)]
    [InlineData("/mlruns/1/abc/artifacts", null)]
    public void Only_mlflow_artifacts_locations_map_to_proxy_paths(string uri, string? path) =>
        Assert.Equal(path, MlflowClient.ProxyPath(uri));
}
