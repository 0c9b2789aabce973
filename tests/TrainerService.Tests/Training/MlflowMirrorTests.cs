using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Contracts.Training;
using MlOps.TestSupport;

namespace MlOps.TrainerService.Tests.Training;

public sealed class MlflowMirrorTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_trained_version_appears_in_mlflow_as_a_run_a_registered_version_and_its_alias()
    {
        await using var mlflow = await FakeMlflow.StartAsync();
        await using var platform = await StartAsync(mlflow);
        await platform.GenerateAsync("carts", "cart-abandonment", 1500);

        var accepted = await platform.SubmitAsync(new { dataset = "carts", target = "abandoned", algorithm = "logistic-regression", model = "carts", promote = "always" });
        var job = await platform.WaitForJobAsync(accepted.Id);
        Assert.True(job.Status == "succeeded", job.Error);
        await Eventually.HoldsAsync(() => mlflow.AliasOf("carts", "production") == "1");

        using var client = platform.Client();
        var run = (await client.GetFromJsonAsync<RunResponse>($"/api/runs/{job.RunId}"))!;
        var mirrored = Assert.Single(mlflow.Runs.Values);
        var data = mirrored["data"]!;
        var tags = data["tags"]!.AsArray().ToDictionary(t => (string)t!["key"]!, t => (string)t!["value"]!);
        Assert.Equal(run.Id.ToString(), tags["mlops.run_id"]);
        Assert.Equal(("carts", "1", run.Dataset.Sha256, "logistic-regression"), (tags["mlops.dataset"], tags["mlops.dataset.version"], tags["mlops.dataset.sha256"], tags["mlops.algorithm"]));
        var parameters = data["params"]!.AsArray().ToDictionary(p => (string)p!["key"]!, p => (string)p!["value"]!);
        Assert.Equal(run.Parameters.OrderBy(p => p.Key), parameters.OrderBy(p => p.Key));
        var metrics = data["metrics"]!.AsArray();
        var stored = await platform.ScalarAsync($"SELECT count(*) FROM trainer.run_metrics WHERE run_id = '{run.Id}'");
        Assert.Equal(stored + run.Metrics.Count, metrics.Count);
        Assert.Equal(run.Metrics["auc"], metrics.Where(m => (string)m!["key"]! == "auc").Select(m => (double)m!["value"]!).Single());
        Assert.Equal("FINISHED", (string)mirrored["info"]!["status"]!);
        Assert.Equal("carts", (string?)Assert.Single(mlflow.Experiments.Values)["name"]);

        var runId = (string)mirrored["info"]!["run_id"]!;
        var experiment = (string)mirrored["info"]!["experiment_id"]!;
        using var artifact = await client.GetAsync("/api/models/carts/versions/1/artifact");
        Assert.Equal(await artifact.Content.ReadAsByteArrayAsync(), mlflow.Artifacts[$"{experiment}/{runId}/artifacts/model/model.json"]);
        Assert.True(mlflow.Artifacts.ContainsKey($"{experiment}/{runId}/artifacts/feature-importance.json"));
        var version = Assert.Single(mlflow.VersionsOf("carts"));
        Assert.Equal(($"runs:/{runId}/model", runId, "READY"), ((string)version["source"]!, (string)version["run_id"]!, (string)version["status"]!));
        Assert.Equal(0L, await platform.ScalarAsync("SELECT count(*) FROM trainer.mlflow_outbox WHERE sent_at IS NULL"));
        Assert.Equal(0L, await platform.ScalarAsync("SELECT count(*) FROM trainer.mlflow_outbox WHERE last_error IS NOT NULL"));
    }

    [Fact]
    public async Task During_an_mlflow_outage_training_goes_on_and_afterwards_everything_arrives_once_in_order()
    {
        await using var mlflow = await FakeMlflow.StartAsync();
        await using var platform = await StartAsync(mlflow);
        await platform.GenerateAsync("carts", "cart-abandonment", 1500);
        mlflow.Unavailable = true;

        var jobs = new List<TrainingJobResponse>();
        foreach (var l2 in new[] { 1.0, 2.0 })
        {
            var accepted = await platform.SubmitAsync(new { dataset = "carts", target = "abandoned", algorithm = "logistic-regression", model = "carts", promote = "always", hyperparameters = new { l2 } });
            jobs.Add(await platform.WaitForJobAsync(accepted.Id));
        }

        Assert.All(jobs, job => Assert.True(job.Status == "succeeded", job.Error));
        using var trainer = platform.Client();
        await Eventually.HoldsAsync(async () =>
        {
            var health = await trainer.GetFromJsonAsync<JsonElement>("/health");
            return health.GetProperty("checks").GetProperty("mlflow").GetProperty("status").GetString() == "Degraded";
        });
        Assert.Equal(4L, await platform.ScalarAsync("SELECT count(*) FROM trainer.mlflow_outbox WHERE sent_at IS NULL"));

        mlflow.Unavailable = false;
        await Eventually.HoldsAsync(() => mlflow.AliasOf("carts", "production") == "2");
        await Eventually.HoldsAsync(async () => await platform.ScalarAsync("SELECT count(*) FROM trainer.mlflow_outbox WHERE sent_at IS NULL") is 0L);

        Assert.Equal(2, mlflow.Runs.Count);
        Assert.Equal(["1", "2"], mlflow.VersionsOf("carts").Select(v => (string)v["version"]!));
        var aliasMoves = mlflow.Requests.Where(r => r.Method == "POST" && r.PathAndQuery == "/api/2.0/mlflow/registered-models/alias").Select(r => (string)r.Json!["version"]!).ToArray();
        Assert.Equal(["1", "2"], aliasMoves);
        foreach (var job in jobs)
        {
            var stored = await platform.ScalarAsync($"SELECT count(*) FROM trainer.run_metrics WHERE run_id = '{job.RunId}'");
            using var client = platform.Client();
            var run = (await client.GetFromJsonAsync<RunResponse>($"/api/runs/{job.RunId}"))!;
            var mirrored = mlflow.Runs.Values.Single(r => r["data"]!["tags"]!.AsArray().Any(t => (string)t!["key"]! == "mlops.run_id" && (string)t!["value"]! == run.Id.ToString()));
            Assert.Equal(stored + run.Metrics.Count, mirrored["data"]!["metrics"]!.AsArray().Count);
        }

        await Eventually.HoldsAsync(async () =>
        {
            var health = await trainer.GetFromJsonAsync<JsonElement>("/health");
            return health.GetProperty("checks").GetProperty("mlflow").GetProperty("status").GetString() == "Healthy";
        });
    }

    [Fact]
    public async Task A_canceled_run_appears_in_mlflow_as_killed_with_its_metrics_and_reason()
    {
        await using var mlflow = await FakeMlflow.StartAsync();
        await using var platform = await StartAsync(mlflow);
        await SlowJobs.GenerateAsync(platform, SlowJobs.RowsToCancel);
        var accepted = await platform.SubmitAsync(SlowJobs.Request("slow"));
        var running = await platform.WaitForJobAsync(accepted.Id, job => job.Status is "succeeded" or "failed" or "canceled" || job.Progress is { Iteration: > 5 });
        Assert.Equal("running", running.Status);
        using var client = platform.Client();

        using var cancel = await client.PostAsync($"/api/training/jobs/{accepted.Id}/cancel", null);
        var canceled = await platform.WaitForJobAsync(accepted.Id);
        await Eventually.HoldsAsync(() => mlflow.Runs.Values.Any(r => (string?)r["info"]!["status"] == "KILLED"));

        var mirrored = Assert.Single(mlflow.Runs.Values);
        var tags = mirrored["data"]!["tags"]!.AsArray().ToDictionary(t => (string)t!["key"]!, t => (string)t!["value"]!);
        Assert.Equal(canceled.RunId.ToString(), tags["mlops.run_id"]);
        Assert.Equal("Canceled on request.", tags["mlops.error"]);
        Assert.Equal("slow attempt 1", (string)mirrored["info"]!["run_name"]!);
        var stored = await platform.ScalarAsync($"SELECT count(*) FROM trainer.run_metrics WHERE run_id = '{canceled.RunId}'");
        Assert.Equal(stored, mirrored["data"]!["metrics"]!.AsArray().Count);
        Assert.Empty(mlflow.VersionsOf("slow"));
    }

    [Fact]
    public async Task An_entry_mlflow_cannot_take_is_recorded_with_its_reason_and_the_next_ones_still_go()
    {
        await using var mlflow = await FakeMlflow.StartAsync();
        mlflow.FailRegistration = true;
        await using var platform = await StartAsync(mlflow);
        await platform.GenerateAsync("carts", "cart-abandonment", 1500);

        var first = await platform.SubmitAsync(new { dataset = "carts", target = "abandoned", algorithm = "logistic-regression", model = "carts" });
        await platform.WaitForJobAsync(first.Id);
        await Eventually.HoldsAsync(async () => await platform.ScalarAsync("SELECT count(*) FROM trainer.mlflow_outbox WHERE sent_at IS NULL") is 0L);
        mlflow.FailRegistration = false;
        var second = await platform.SubmitAsync(new { dataset = "carts", target = "abandoned", algorithm = "logistic-regression", model = "carts" });
        await platform.WaitForJobAsync(second.Id);
        await Eventually.HoldsAsync(() => mlflow.VersionsOf("carts").Any(v => (string?)v["status"] == "READY"));

        Assert.Contains("FAILED_REGISTRATION", await platform.TextAsync("SELECT last_error FROM trainer.mlflow_outbox ORDER BY id LIMIT 1"));
        Assert.Equal(["FAILED_REGISTRATION", "READY"], mlflow.VersionsOf("carts").Select(v => (string)v["status"]!));
        using var trainer = platform.Client();
        var health = await trainer.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("mlflow").GetProperty("status").GetString());
    }

    /// <summary>The platform with a trainer mirroring to <paramref name="mlflow"/>, polling and retrying quickly.</summary>
    private async Task<TrainerPlatform> StartAsync(FakeMlflow mlflow)
    {
        var platform = await TrainerPlatform.StartAsync(postgres, withTrainer: false);
        await platform.AddTrainerAsync(new Dictionary<string, string>
        {
            ["MLflow:TrackingUri"] = mlflow.Address.ToString(),
            ["MLflow:PollInterval"] = "00:00:00.100",
            ["MLflow:MaxRetryInterval"] = "00:00:00.500",
        });
        return platform;
    }
}
