using System.Net;
using System.Net.Http.Json;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Training;
using MlOps.Learning.Models;
using MlOps.TestSupport;

namespace MlOps.TrainerService.Tests.Training;

public sealed class JobLifecycleTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_job_runs_from_a_dataset_version_to_a_registered_model_version_with_its_run()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        var dataset = await platform.GenerateAsync("carts", "cart-abandonment", 3000);
        using var client = platform.Client();

        using var submitted = await client.PostAsJsonAsync("/api/training/jobs", new
        {
            dataset = "carts",
            target = "abandoned",
            algorithm = "logistic-regression",
            model = "cart-abandonment",
            hyperparameters = new { l2 = 2.0 },
        });
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var accepted = (await submitted.Content.ReadFromJsonAsync<TrainingJobResponse>())!;
        var job = await platform.WaitForJobAsync(accepted.Id);

        Assert.Equal($"/api/training/jobs/{accepted.Id}", submitted.Headers.Location!.OriginalString);
        Assert.Equal("queued", accepted.Status);
        Assert.Equal((dataset.Version, dataset.Sha256), (accepted.DatasetVersion, accepted.DatasetSha256));
        Assert.Equal(("binary", "auc", "never", "cart-abandonment"), (accepted.Task, accepted.PrimaryMetric, accepted.Promote, accepted.Experiment));
        Assert.Equal("2", accepted.Hyperparameters["l2"]);
        Assert.Equal("0.2", accepted.Hyperparameters["validationFraction"]);
        Assert.True(job.Status == "succeeded", job.Error);
        Assert.Equal((1, 1), (job.Attempts, job.ModelVersion));
        Assert.Equal("alice", job.CreatedBy);
        Assert.False(job.Promotion!.Promoted);

        var run = (await client.GetFromJsonAsync<RunResponse>($"/api/runs/{job.RunId}"))!;
        Assert.Equal(("succeeded", 1, "cart-abandonment", 1), (run.Status, run.Attempt, run.Experiment, run.ModelVersion));
        Assert.Equal(new RunDataset("carts", dataset.Version, dataset.Sha256), run.Dataset);
        Assert.Equal("2", run.Parameters["l2"]);
        Assert.InRange(run.Metrics["auc"], 0.85, 1.0);
        Assert.True(run.Timings!.TotalSeconds >= run.Timings.TrainSeconds);
        Assert.Equal(["confusion-matrix.json", "feature-importance.json", "model.json"], run.Artifacts.Select(a => a.Name).Order());

        var history = (await client.GetFromJsonAsync<MetricPoint[]>($"/api/runs/{job.RunId}/metrics?name=trainingLoss"))!;
        Assert.NotEmpty(history);
        Assert.Equal(Enumerable.Range(1, history.Length), history.Select(p => p.Step));
        Assert.True(history[^1].Value < history[0].Value);
        var validation = (await client.GetFromJsonAsync<MetricPoint[]>($"/api/runs/{job.RunId}/metrics?name=validation.auc"))!;
        Assert.Equal(run.Metrics["auc"], validation[^1].Value, 12);

        var version = (await client.GetFromJsonAsync<ModelVersionResponse>("/api/models/cart-abandonment/versions/1"))!;
        Assert.Equal(("logistic-regression", "binary", "abandoned"), (version.Algorithm, version.Task, version.Target));
        Assert.Equal(new PrimaryMetric("auc", run.Metrics["auc"], true), version.PrimaryMetric);
        Assert.Equal(new ModelLineage(run.Id, job.Id, "cart-abandonment", "carts", dataset.Version, dataset.Sha256), version.Lineage);
        Assert.DoesNotContain(version.Inputs, input => input.Name == "abandoned");
        Assert.Contains(version.Inputs, input => input.Type == "categorical" && input.Categories is { Count: > 0 });
        Assert.Empty(version.Aliases);

        using var artifact = await client.GetAsync("/api/models/cart-abandonment/versions/1/artifact");
        var model = ModelFile.Load(await artifact.Content.ReadAsStreamAsync());
        Assert.Equal(version.Artifact.Sha256, artifact.Headers.ETag!.Tag.Trim('"'));
        Assert.Equal(version.Inputs.Select(i => i.Name), model.Inputs.Select(i => i.Name));
        Assert.Equal(dataset.Sha256, model.Metadata.DataSha256);

        var reference = (await client.GetFromJsonAsync<ReferenceProfile>("/api/models/cart-abandonment/versions/1/reference"))!;
        Assert.Equal(1, reference.Version);
        Assert.DoesNotContain(reference.Features.Columns, column => column.Name == "abandoned");
        Assert.Equal(dataset.Rows, reference.Features.Rows);
        Assert.Equal(["prediction", "probability"], reference.Predictions.Columns.Select(c => c.Name));
        Assert.Equal(600, reference.Predictions.Rows);
        // A sample of 2,000 of the 3,000 values of each numeric feature, and of the 600 validation probabilities.
        var numeric = reference.Features.Columns.Where(column => column.Type == "numeric").ToArray();
        Assert.NotEmpty(numeric);
        Assert.Equal(numeric.Select(c => c.Name).Order(), reference.FeatureSamples!.Keys.Order());
        foreach (var column in numeric)
        {
            var sample = reference.FeatureSamples[column.Name];
            Assert.Equal(2000, sample.Length);
            Assert.All(sample, value => Assert.InRange(value, column.Numeric!.Min, column.Numeric.Max));
        }

        var probabilities = Assert.Single(reference.PredictionSamples!, sample => sample.Key == "probability").Value;
        Assert.Equal(600, probabilities.Length);
        Assert.All(probabilities, p => Assert.InRange(p, 0.0, 1.0));

        var confusion = (await client.GetFromJsonAsync<ConfusionMatrixArtifact>($"/api/runs/{job.RunId}/artifacts/confusion-matrix.json"))!;
        Assert.Equal(600, confusion.Counts.Sum(row => row.Sum()));
    }

    [Fact]
    public async Task A_regression_job_reports_rmse_and_a_residual_summary()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.GenerateAsync("wine", "wine-price", 1500);

        var accepted = await platform.SubmitAsync(new { dataset = "wine", target = "price", algorithm = "linear-regression", model = "wine-price" });
        var job = await platform.WaitForJobAsync(accepted.Id);

        Assert.True(job.Status == "succeeded", job.Error);
        Assert.Equal(("regression", "rmse"), (job.Task, job.PrimaryMetric));
        using var client = platform.Client();
        var version = (await client.GetFromJsonAsync<ModelVersionResponse>("/api/models/wine-price/versions/1"))!;
        Assert.False(version.PrimaryMetric.HigherIsBetter);
        Assert.InRange(version.Metrics["r2"], 0.8, 1.0);
        var residuals = (await client.GetFromJsonAsync<ResidualSummary>($"/api/runs/{job.RunId}/artifacts/residuals.json"))!;
        Assert.Equal(300, residuals.Rows);
        Assert.InRange(residuals.MeanAbsolute, 0, version.Metrics["rmse"]);
        var reference = (await client.GetFromJsonAsync<ReferenceProfile>("/api/models/wine-price/versions/1/reference"))!;
        Assert.Equal("numeric", Assert.Single(reference.Predictions.Columns).Type);
        Assert.Equal(300, Assert.Single(reference.PredictionSamples!, sample => sample.Key == "prediction").Value.Length);
    }

    [Fact]
    public async Task A_multiclass_job_compares_on_macro_f1()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.GenerateAsync("products", "product-category", 1200);

        var accepted = await platform.SubmitAsync(new { dataset = "products", target = "category", algorithm = "logistic-regression", model = "products" });
        var job = await platform.WaitForJobAsync(accepted.Id);

        Assert.True(job.Status == "succeeded", job.Error);
        Assert.Equal(("multiclass", "f1"), (job.Task, job.PrimaryMetric));
        using var client = platform.Client();
        var version = (await client.GetFromJsonAsync<ModelVersionResponse>("/api/models/products/versions/1"))!;
        Assert.True(version.Classes.Count > 2);
        Assert.InRange(version.Metrics["f1"], 0.8, 1.0);
    }
}
