using MlOps.TestSupport;

namespace MlOps.TrainerService.Tests.Training;

/// <summary>A PostgreSQL restart in the middle of a job: the job finishes or is retried, and never stays <c>running</c>.</summary>
public sealed class DatabaseRestartTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_job_survives_a_restart_of_postgresql_while_it_trains()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await SlowJobs.GenerateAsync(platform);
        var accepted = await platform.SubmitAsync(SlowJobs.Request("resilient", maxIterations: 300));
        await platform.WaitForJobAsync(accepted.Id, job => job.Progress is { Iteration: > 5 });

        await postgres.Server.StopAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await postgres.Server.StartAsync(CancellationToken.None);
        var job = await platform.WaitForJobAsync(accepted.Id);

        Assert.True(job.Status == "succeeded", $"{job.Status} after {job.Attempts} attempts: {job.Error}");
        Assert.Equal(1, job.ModelVersion);
        var runs = await ReliabilityTests.RunsOfAsync(platform, accepted.Id);
        Assert.Equal("succeeded", runs[^1].Status);
        Assert.All(runs[..^1], run => Assert.Equal("failed", run.Status));
        Assert.Equal(0, await platform.ScalarAsync("SELECT count(*) FROM trainer.jobs WHERE status IN ('running', 'queued')"));
    }
}
