using System.Net;
using System.Net.Http.Json;
using MlOps.Contracts.Training;
using MlOps.TestSupport;

namespace MlOps.TrainerService.Tests.Training;

public sealed class CancelTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_running_job_reports_progress_and_stops_at_the_next_iteration_when_canceled()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await SlowJobs.GenerateAsync(platform, SlowJobs.RowsToCancel);
        var accepted = await platform.SubmitAsync(SlowJobs.Request("slow"));
        var running = await platform.WaitForJobAsync(
            accepted.Id, job => job.Status is "succeeded" or "failed" or "canceled" || job.Progress is { Iteration: > 5, ValidationMetric: not null });
        using var client = platform.Client();

        using var cancel = await client.PostAsync($"/api/training/jobs/{accepted.Id}/cancel", null);
        var canceled = await platform.WaitForJobAsync(accepted.Id);

        Assert.Equal("running", running.Status);
        Assert.True(running.Progress!.Phase == "training", System.Text.Json.JsonSerializer.Serialize(running));
        Assert.InRange(running.Progress.ValidationMetric!.Value, 0.0, 1.0);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.True((await cancel.Content.ReadFromJsonAsync<TrainingJobResponse>())!.CancelRequested);
        Assert.Equal("canceled", canceled.Status);
        Assert.Null(canceled.ModelVersion);
        var run = (await client.GetFromJsonAsync<RunResponse>($"/api/runs/{canceled.RunId}"))!;
        Assert.Equal("canceled", run.Status);
        Assert.True(await platform.ScalarAsync($"SELECT max(step) FROM trainer.run_metrics WHERE run_id = '{run.Id}'") < 100_000);
        using var models = await client.GetAsync("/api/models/slow");
        Assert.Equal(HttpStatusCode.NotFound, models.StatusCode);
    }

    [Fact]
    public async Task A_queued_job_is_canceled_at_once_and_an_ended_one_cannot_be()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres, new Dictionary<string, string> { ["Training:Workers"] = "0" });
        await platform.GenerateAsync("carts", "cart-abandonment", 300);
        var accepted = await platform.SubmitAsync(new { dataset = "carts", target = "abandoned", algorithm = "logistic-regression", model = "m" });
        using var client = platform.Client();

        using var cancel = await client.PostAsync($"/api/training/jobs/{accepted.Id}/cancel", null);
        using var again = await client.PostAsync($"/api/training/jobs/{accepted.Id}/cancel", null);
        using var unknown = await client.PostAsync($"/api/training/jobs/{Guid.NewGuid()}/cancel", null);
        using var readOnly = platform.Client("mlops.read");
        using var forbidden = await readOnly.PostAsync($"/api/training/jobs/{accepted.Id}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("canceled", (await cancel.Content.ReadFromJsonAsync<TrainingJobResponse>())!.Status);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        await platform.AddTrainerAsync();
        var finished = await platform.SubmitAsync(new { dataset = "carts", target = "abandoned", algorithm = "logistic-regression", model = "m" });
        await platform.WaitForJobAsync(finished.Id);
        using var late = await client.PostAsync($"/api/training/jobs/{finished.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("canceled", (await platform.GetJobAsync(accepted.Id)).Status);
    }
}
