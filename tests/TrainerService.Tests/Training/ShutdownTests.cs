using System.Text.RegularExpressions;
using MlOps.TestSupport;

namespace MlOps.TrainerService.Tests.Training;

public sealed partial class ShutdownTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_replica_that_stops_gives_its_running_job_back_and_another_replica_finishes_it()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres, new Dictionary<string, string> { ["Training:Workers"] = "0" });
        await SlowJobs.GenerateAsync(platform);
        var stopping = await platform.AddTrainerAsync();
        var accepted = await platform.SubmitAsync(SlowJobs.Request("handed-over", maxIterations: 150));
        await platform.WaitForJobAsync(accepted.Id, job => job.Progress is { Iteration: > 5 });

        await stopping.DisposeAsync();
        var released = await platform.GetJobAsync(accepted.Id);
        // The finisher runs as a process of its own: in-process hosts share meter names, and another test's host
        // disposing its meters silences same-named instruments (open-telemetry/opentelemetry-dotnet#6412).
        var finisher = await platform.StartTrainerProcessAsync();
        var job = await platform.WaitForJobAsync(accepted.Id);

        // Given back at once, not after the lease ran out.
        Assert.Equal("queued", released.Status);
        Assert.True(job.Status == "succeeded", job.Error);
        Assert.Equal(2, job.Attempts);
        var runs = await ReliabilityTests.RunsOfAsync(platform, accepted.Id);
        Assert.Equal(["canceled", "succeeded"], runs.Select(run => run.Status));
        Assert.Contains("shut down", runs[0].Error, StringComparison.Ordinal);

        // The job is succeeded in the database a moment before the worker counts it.
        using var client = new HttpClient { BaseAddress = finisher.Address };
        var metrics = await Eventually.ReturnsAsync(
            () => client.GetStringAsync("/metrics"),
            text => SucceededCount().IsMatch(text),
            TimeSpan.FromSeconds(10),
            "the succeeded attempt being counted");
        await Promtool.CheckMetricsAsync(metrics);
    }

    [GeneratedRegex("""mlops_training_jobs_total\{[^}]*status="succeeded"[^}]*\} 1\b""")]
    private static partial Regex SucceededCount();
}
