using System.Net.Http.Json;
using MlOps.Contracts.Training;
using MlOps.TestSupport;
using Npgsql;

namespace MlOps.TrainerService.Tests.Training;

/// <summary>The queue under several replicas and a worker that dies: every job runs exactly once, or again after its worker is lost.</summary>
public sealed class ReliabilityTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Sixty_jobs_shared_by_three_replicas_each_run_exactly_once()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.AddTrainerAsync();
        await platform.AddTrainerAsync();
        await platform.GenerateAsync("carts", "cart-abandonment", 300);
        using var client = platform.Client();

        var accepted = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ =>
            platform.SubmitAsync(new { dataset = "carts", target = "abandoned", algorithm = "logistic-regression", model = "m" }, client)));
        var jobs = await Task.WhenAll(accepted.Select(job => platform.WaitForJobAsync(job.Id)));

        Assert.All(jobs, job => Assert.True(job.Status == "succeeded" && job.Attempts == 1, $"{job.Id}: {job.Status}, {job.Attempts} attempts, {job.Error}"));
        Assert.Equal(Enumerable.Range(1, 60), jobs.Select(job => job.ModelVersion!.Value).Order());
        Assert.Equal(60, await platform.ScalarAsync("SELECT count(*) FROM trainer.runs"));
        Assert.Equal(60, await platform.ScalarAsync("SELECT count(DISTINCT job_id) FROM trainer.runs WHERE status = 'succeeded'"));
        Assert.Equal(60, await platform.ScalarAsync("SELECT count(*) FROM trainer.model_versions"));
        // Every replica took a share of the queue.
        Assert.Equal(3, await platform.ScalarAsync("SELECT count(DISTINCT worker) FROM trainer.runs"));
    }

    [Fact]
    public async Task A_job_whose_worker_process_is_killed_is_picked_up_again_and_succeeds_with_its_first_run_failed()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres, new Dictionary<string, string> { ["Training:Workers"] = "0" });
        await SlowJobs.GenerateAsync(platform);
        var shortLease = new Dictionary<string, string> { ["Training:LeaseDuration"] = "00:00:03" };
        var doomed = await platform.StartTrainerProcessAsync(shortLease);
        var accepted = await platform.SubmitAsync(SlowJobs.Request("survivor", maxIterations: 150));
        var running = await platform.WaitForJobAsync(accepted.Id, job => job.Progress is { Iteration: > 5 });

        await doomed.KillAsync();
        await platform.AddTrainerAsync(shortLease);
        var job = await platform.WaitForJobAsync(accepted.Id);

        Assert.Equal(1, running.Attempts);
        Assert.True(job.Status == "succeeded", job.Error);
        Assert.Equal((2, 1), (job.Attempts, job.ModelVersion));
        var runs = await RunsOfAsync(platform, accepted.Id);
        Assert.Equal(2, runs.Count);
        Assert.Equal((1, "failed"), (runs[0].Attempt, runs[0].Status));
        Assert.Contains($":{doomed.Id}:", runs[0].Worker, StringComparison.Ordinal);
        Assert.Contains("stopped renewing its lease", runs[0].Error, StringComparison.Ordinal);
        Assert.Equal((2, "succeeded"), (runs[1].Attempt, runs[1].Status));
        Assert.DoesNotContain($":{doomed.Id}:", runs[1].Worker, StringComparison.Ordinal);

        using var client = platform.Client();
        var firstRun = (await client.GetFromJsonAsync<RunResponse>($"/api/runs/{runs[0].Id}"))!;
        Assert.Equal("failed", firstRun.Status);
        Assert.Null(firstRun.ModelVersion);
    }

    [Fact]
    public async Task A_job_that_used_every_attempt_fails_with_the_reason()
    {
        // A job's attempt limit is fixed when it is submitted, by the replica that accepts it.
        await using var platform = await TrainerPlatform.StartAsync(postgres, new Dictionary<string, string> { ["Training:Workers"] = "0", ["Training:MaxAttempts"] = "1" });
        await SlowJobs.GenerateAsync(platform);
        var settings = new Dictionary<string, string> { ["Training:LeaseDuration"] = "00:00:03" };
        var doomed = await platform.StartTrainerProcessAsync(settings);
        var accepted = await platform.SubmitAsync(SlowJobs.Request("unlucky", maxIterations: 150));
        await platform.WaitForJobAsync(accepted.Id, job => job.Status == "running");

        await doomed.KillAsync();
        await platform.AddTrainerAsync(settings);
        var job = await platform.WaitForJobAsync(accepted.Id);

        Assert.Equal(("failed", 1), (job.Status, job.Attempts));
        Assert.Contains("Gave up after 1 attempts", job.Error, StringComparison.Ordinal);
    }

    internal static async Task<List<(Guid Id, int Attempt, string Status, string Worker, string? Error)>> RunsOfAsync(TrainerPlatform platform, Guid jobId)
    {
        await using var connection = new NpgsqlConnection(platform.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, attempt, status, worker, error FROM trainer.runs WHERE job_id = $1 ORDER BY attempt", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        await using var reader = await command.ExecuteReaderAsync();
        var runs = new List<(Guid, int, string, string, string?)>();
        while (await reader.ReadAsync())
        {
            runs.Add((reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return runs;
    }
}
