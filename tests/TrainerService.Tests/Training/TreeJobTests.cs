using System.Net.Http.Json;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Training;
using MlOps.Learning.Models;
using MlOps.Learning.Trees;
using MlOps.TestSupport;

namespace MlOps.TrainerService.Tests.Training;

public sealed class TreeJobTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_gbdt_job_registers_a_tree_model_with_its_rounds_settings_and_gain_importance()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.GenerateAsync("carts", "cart-abandonment", 3000);
        using var client = platform.Client();

        var accepted = await platform.SubmitAsync(new
        {
            dataset = "carts",
            target = "abandoned",
            algorithm = "gbdt",
            model = "carts-gbdt",
            hyperparameters = new { rounds = 30, numLeaves = 15 },
        });
        var job = await platform.WaitForJobAsync(accepted.Id);

        Assert.True(job.Status == "succeeded", job.Error);
        Assert.Equal(("30", "15", "0.1", "1", "20"), (accepted.Hyperparameters["rounds"], accepted.Hyperparameters["numLeaves"],
            accepted.Hyperparameters["learningRate"], accepted.Hyperparameters["l2"], accepted.Hyperparameters["minChildSamples"]));
        var run = (await client.GetFromJsonAsync<RunResponse>($"/api/runs/{job.RunId}"))!;
        Assert.InRange(run.Metrics["auc"], 0.8, 1.0);
        var history = (await client.GetFromJsonAsync<MetricPoint[]>($"/api/runs/{job.RunId}/metrics?name=trainingLoss"))!;
        Assert.Equal(Enumerable.Range(1, 30), history.Select(point => point.Step));
        Assert.True(history[^1].Value < history[0].Value);

        using var artifact = await client.GetAsync("/api/models/carts-gbdt/versions/1/artifact");
        var model = ModelFile.Load(await artifact.Content.ReadAsStreamAsync());
        var trees = Assert.IsType<TreeEnsemblePredictor>(model.Predictor);
        Assert.Equal((EnsembleKind.Boosted, 30), (trees.Kind, trees.Trees.Length));
        Assert.All(trees.Trees, member => Assert.InRange(Assert.Single(member).LeafCount, 2, 15));

        var importance = (await client.GetFromJsonAsync<FeatureImportance[]>($"/api/runs/{job.RunId}/artifacts/feature-importance.json"))!;
        Assert.Equal(model.Inputs.Select(input => input.Name).Order(), importance.Select(feature => feature.Feature).Order());
        Assert.Equal(importance.Select(feature => feature.Importance).OrderDescending(), importance.Select(feature => feature.Importance));
        Assert.True(importance[0].Importance > 0);
    }

    [Fact]
    public async Task A_random_forest_job_learns_a_regression_target_and_reports_once()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.GenerateAsync("carts", "cart-abandonment", 2000);
        using var client = platform.Client();

        var accepted = await platform.SubmitAsync(new
        {
            dataset = "carts",
            target = "cart_value",
            algorithm = "random-forest",
            model = "cart-value",
            hyperparameters = new { rounds = 25, numLeaves = 63 },
        });
        var job = await platform.WaitForJobAsync(accepted.Id);

        Assert.True(job.Status == "succeeded", job.Error);
        Assert.Equal(("regression", "rmse"), (job.Task, job.PrimaryMetric));
        var version = (await client.GetFromJsonAsync<ModelVersionResponse>("/api/models/cart-value/versions/1"))!;
        Assert.Equal("random-forest", version.Algorithm);
        Assert.True(version.Metrics["rmse"] > 0);
        var raw = await client.GetStringAsync($"/api/runs/{job.RunId}/metrics?name=trainingLoss");
        var history = (await client.GetFromJsonAsync<MetricPoint[]>($"/api/runs/{job.RunId}/metrics?name=trainingLoss"))!;
        Assert.True(history.Length == 1, raw + " " + await client.GetStringAsync($"/api/runs/{job.RunId}"));
        Assert.Equal(25, history[0].Step);

        using var artifact = await client.GetAsync("/api/models/cart-value/versions/1/artifact");
        var forest = Assert.IsType<TreeEnsemblePredictor>(ModelFile.Load(await artifact.Content.ReadAsStreamAsync()).Predictor);
        Assert.Equal((EnsembleKind.Forest, 25), (forest.Kind, forest.Trees.Length));
    }

    [Fact]
    public async Task A_gbdt_job_learns_from_a_text_column()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.GenerateAsync("reviews", "review-sentiment", 2000);
        using var client = platform.Client();

        var accepted = await platform.SubmitAsync(new
        {
            dataset = "reviews",
            target = "sentiment",
            algorithm = "gbdt",
            model = "reviews-gbdt",
            hyperparameters = new { rounds = 40, maxTextFeatures = 300 },
        });
        var job = await platform.WaitForJobAsync(accepted.Id);

        Assert.True(job.Status == "succeeded", job.Error);
        var run = (await client.GetFromJsonAsync<RunResponse>($"/api/runs/{job.RunId}"))!;
        // Three sentiments, said in the reviews' words (logistic regression reaches about 0.76 on 10,000 rows).
        Assert.InRange(run.Metrics["accuracy"], 0.65, 1.0);
        Assert.Equal("300", run.Parameters["maxTextFeatures"]);
        var importance = (await client.GetFromJsonAsync<FeatureImportance[]>($"/api/runs/{job.RunId}/artifacts/feature-importance.json"))!;
        Assert.Equal("text", Assert.Single(importance).Feature);
        Assert.True(importance[0].Importance > 0);
    }
}
