using System.Net.Http.Json;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Training;
using MlOps.ServiceConventions.Paging;
using MlOps.TestSupport;
using MlOps.TrainerService.Tests.Training;

namespace MlOps.TrainerService.Tests.Registry;

public sealed class PromotionTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    // One L-BFGS step on unscaled features leaves a model clearly worse than the converged one (both are seeded, so
    // the comparison is the same on every run).
    private static readonly object Weak = new { maxIterations = 1, standardize = false };
    private static readonly object Good = new { l2 = 1.0 };

    [Fact]
    public async Task Promotion_follows_the_policy_and_a_worse_model_is_not_promoted_under_if_better()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.GenerateAsync("carts", "cart-abandonment", 3000);

        var first = await TrainAsync(platform, "if-better", Good);
        var worse = await TrainAsync(platform, "if-better", Weak);
        var forced = await TrainAsync(platform, "always", Weak);
        var held = await TrainAsync(platform, "never", Good);
        var better = await TrainAsync(platform, "if-better", Good);

        Assert.True(first.Promotion!.Promoted, first.Promotion.Reason);
        Assert.Null(first.Promotion.PreviousVersion);
        Assert.Contains("first version", first.Promotion.Reason, StringComparison.Ordinal);

        Assert.False(worse.Promotion!.Promoted, worse.Promotion.Reason);
        Assert.Equal((2, 1, "auc"), (worse.ModelVersion, worse.Promotion.PreviousVersion, worse.Promotion.Metric));
        Assert.True(worse.Promotion.NewValue < worse.Promotion.CurrentValue, worse.Promotion.Reason);
        Assert.Contains("does not beat production version 1", worse.Promotion.Reason, StringComparison.Ordinal);

        Assert.True(forced.Promotion!.Promoted, forced.Promotion.Reason);
        Assert.Equal((3, 1), (forced.ModelVersion, forced.Promotion.PreviousVersion));
        Assert.Contains("'always'", forced.Promotion.Reason, StringComparison.Ordinal);

        Assert.False(held.Promotion!.Promoted, held.Promotion.Reason);
        Assert.Contains("'never'", held.Promotion.Reason, StringComparison.Ordinal);

        Assert.True(better.Promotion!.Promoted, better.Promotion.Reason);
        Assert.Equal(3, better.Promotion.PreviousVersion);
        Assert.True(better.Promotion.NewValue > better.Promotion.CurrentValue, better.Promotion.Reason);

        using var client = platform.Client();
        var model = (await client.GetFromJsonAsync<ModelResponse>("/api/models/carts-model"))!;
        Assert.Equal((5, 5), (model.LatestVersion, model.Versions));
        Assert.Equal(5, model.Aliases["production"]);

        var history = (await client.GetFromJsonAsync<Page<AliasMove>>("/api/models/carts-model/alias-history"))!;
        Assert.Equal(
            [(3, 5, better.Id), (1, 3, forced.Id), (null, 1, first.Id)],
            history.Items.Select(move => ((int?)move.FromVersion, move.ToVersion, move.JobId)));
        Assert.All(history.Items, move =>
        {
            Assert.Equal("production", move.Alias);
            Assert.Contains("submitted by alice", move.Actor, StringComparison.Ordinal);
        });
        Assert.Equal(better.Promotion.Reason, history.Items[0].Reason);
    }

    [Fact]
    public async Task When_two_jobs_race_for_production_each_decision_sees_the_alias_it_compared_with()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres, new Dictionary<string, string> { ["Training:Workers"] = "2" });
        await platform.GenerateAsync("carts", "cart-abandonment", 3000);

        var jobs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => platform.SubmitAsync(Request("if-better", Good))));
        var done = await Task.WhenAll(jobs.Select(job => platform.WaitForJobAsync(job.Id)));

        Assert.All(done, job => Assert.True(job.Status == "succeeded", job.Error));
        Assert.Equal([1, 2, 3, 4], done.Select(job => job.ModelVersion!.Value).Order());
        // Identical models: only the first registered becomes production, the others do not beat it.
        Assert.Single(done, job => job.Promotion!.Promoted);
        using var client = platform.Client();
        var history = (await client.GetFromJsonAsync<Page<AliasMove>>("/api/models/carts-model/alias-history"))!;
        var move = Assert.Single(history.Items);
        Assert.Equal(done.Single(job => job.Promotion!.Promoted).ModelVersion, move.ToVersion);
    }

    private static object Request(string promote, object hyperparameters) => new
    {
        dataset = "carts",
        target = "abandoned",
        algorithm = "logistic-regression",
        model = "carts-model",
        promote,
        hyperparameters,
    };

    private static async Task<TrainingJobResponse> TrainAsync(TrainerPlatform platform, string promote, object hyperparameters)
    {
        var accepted = await platform.SubmitAsync(Request(promote, hyperparameters));
        var job = await platform.WaitForJobAsync(accepted.Id);
        Assert.True(job.Status == "succeeded", job.Error);
        Assert.Equal(promote, job.Promotion!.Policy);
        return job;
    }
}
