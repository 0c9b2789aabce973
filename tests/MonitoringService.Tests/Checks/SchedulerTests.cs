using System.Net;
using System.Net.Http.Json;
using MlOps.Contracts.Monitoring;
using MlOps.Contracts.Training;
using MlOps.Learning.Generators;
using MlOps.MonitoringService.Drift;
using MlOps.ServiceConventions.Paging;
using MlOps.TestSupport;

namespace MlOps.MonitoringService.Tests.Checks;

/// <summary>The scheduler, the model's state with its webhook, and automatic retraining, across two replicas.</summary>
[Collection(MonitoringPlatform.Collection)]
public sealed class SchedulerTests(MonitoringPlatform platform)
{
    private static readonly Dictionary<string, DriftSpec> Shift = new()
    {
        ["cart_value"] = new(MeanShift: 1.5),
        ["session_duration"] = new(MeanShift: -1.5),
        ["pages_visited"] = new(MeanShift: 1.5),
        ["time_of_day"] = new(CategoryMix: new Dictionary<string, double> { ["night"] = 0.8, ["morning"] = 0.2 }),
    };

    [Fact]
    public async Task Two_replicas_run_a_due_check_once_post_the_change_to_the_webhook_and_retrain_once_per_cooldown()
    {
        await platform.TrainAsync("sched");
        await platform.PredictAsync("sched", new GeneratorRequest(600, Seed: 31, Shift));
        await using var webhook = await WebhookReceiver.StartAsync();
        var polling = new Dictionary<string, string> { ["Monitoring:SchedulerPollInterval"] = "00:00:00.200" };
        await using var first = platform.AddMonitoring(polling);
        await using var second = platform.AddMonitoring(polling);
        using var admin = platform.Client("mlops.admin mlops.read", first);
        using var reader = platform.Client("mlops.read", second);
        foreach (var replica in new[] { admin, reader })
        {
            await Eventually.ReturnsAsync(
                async () => (await replica.GetAsync("/health")).StatusCode, status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the replica ready");
        }

        using (var set = await admin.PutAsJsonAsync("/api/monitoring/sched/policy", new
        {
            checkInterval = "1h", last = 600, autoRetrain = true, retrainCooldown = "1d", webhookUrl = webhook.Url,
        }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        await Eventually.ReturnsAsync(
            () => Task.FromResult(webhook.Notices.Count), count => count > 0, TimeSpan.FromSeconds(60), "the scheduled check's notice");
        var notice = Assert.Single(webhook.Notices);
        var retrains = (await reader.GetFromJsonAsync<Page<RetrainRecord>>("/api/monitoring/sched/retrains"))!;
        using var trainer = platform.ClientOf(platform.Trainer, "mlops.read");
        var job = (await trainer.GetFromJsonAsync<TrainingJobResponse>($"/api/training/jobs/{notice.RetrainJobId}"))!;

        Assert.Equal(("sched", 1, true, (bool?)null, (bool?)null, (bool?)null), (notice.Model, notice.Version, notice.Drift, notice.Decay, notice.PreviousDrift, notice.PreviousDecay));
        Assert.StartsWith("dataset drift: 4 of 7 features drifted", notice.Reason, StringComparison.Ordinal);
        var retrain = Assert.Single(retrains.Items);
        Assert.Equal((notice.RetrainJobId, 1, (string?)null), (retrain.JobId, retrain.Version, retrain.Error));
        Assert.Equal(notice.Reason, retrain.Reason);
        Assert.Equal(("sched", "if-better", "logistic-regression", "abandoned"), (job.Model, job.Promote, job.Algorithm, job.Target));
        Assert.Equal("cart-abandonment-3000-1", job.Dataset);

        // Drift again, on demand: the state does not change (no notice) and the cool-down holds (no second job).
        var again = (await admin.GetFromJsonAsync<DriftReport>("/api/monitoring/sched/drift?last=600", DriftEndpoints.Json))!;
        Assert.True(again.DatasetDrift);
        Assert.Equal(1, await Sql.CountAsync(platform.ConnectionString, "SELECT count(*) FROM monitoring.retrains WHERE model = 'sched'"));

        // Both replicas kept polling all along; the due check ran once (the on-demand one is the second report).
        Assert.Equal(2, await Sql.CountAsync(platform.ConnectionString, "SELECT count(*) FROM monitoring.drift_reports WHERE model = 'sched'"));
        Assert.Equal(1, await Sql.CountAsync(platform.ConnectionString, "SELECT count(*) FROM monitoring.performance_reports WHERE model = 'sched'"));
        Assert.Single(webhook.Notices);
    }

    [Fact]
    public async Task A_check_that_cannot_reach_the_registry_is_retried_later_and_the_scheduler_keeps_running()
    {
        var polling = new Dictionary<string, string>
        {
            ["Monitoring:SchedulerPollInterval"] = "00:00:00.200",
            ["services:trainer:http:0"] = "http://127.0.0.1:9",
        };
        await using var replica = platform.AddMonitoring(polling);
        using var admin = platform.Client("mlops.admin mlops.read", replica);
        using (var set = await admin.PutAsJsonAsync("/api/monitoring/unreachable/policy", new { checkInterval = "1h" }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        // Claimed, the next check moves an hour on; failed, it comes back to a minute from the failure (FailedCheckRetry).
        var next = await Eventually.ReturnsAsync(
            () => Sql.CountAsync(platform.ConnectionString, "SELECT (extract(epoch FROM next_check_at - updated_at))::bigint FROM monitoring.policies WHERE model = 'unreachable'"),
            seconds => seconds is >= 55 and <= 65,
            TimeSpan.FromSeconds(30),
            "the failed check being put off");
        Assert.InRange(next, 55, 65);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/alive")).StatusCode);
        Assert.Equal(0, await Sql.CountAsync(platform.ConnectionString, "SELECT count(*) FROM monitoring.drift_reports WHERE model = 'unreachable'"));
    }
}
