using System.Net;
using System.Net.Http.Json;
using MlOps.Contracts.Training;
using Xunit;

namespace MlOps.TestSupport;

/// <summary>Training through the real services' APIs, as a user would: what platform fixtures share.</summary>
public static class PlatformTraining
{
    /// <summary>
    /// Generates a dataset version (named after the generator, rows and seed) with the data service and trains a model
    /// version on it with the trainer; returns the job once it has ended, and fails the test unless it succeeded.
    /// </summary>
    /// <param name="data">A client of the data service with scope mlops.train.</param>
    /// <param name="trainer">A client of the trainer with scopes mlops.train and mlops.read.</param>
    public static async Task<TrainingJobResponse> GenerateAndTrainAsync(
        HttpClient data,
        HttpClient trainer,
        string model,
        string generator,
        string target,
        int rows = 2000,
        int seed = 1,
        string promote = "always",
        object? hyperparameters = null)
    {
        var dataset = $"{generator}-{rows}-{seed}";
        using (var generated = await data.PostAsJsonAsync($"/api/datasets/{dataset}/versions/generate", new { generator, rows, seed }))
        {
            Assert.True(generated.IsSuccessStatusCode, await generated.Content.ReadAsStringAsync());
        }

        using var submitted = await trainer.PostAsJsonAsync("/api/training/jobs", new
        {
            dataset,
            target,
            algorithm = generator == "wine-price" ? "linear-regression" : "logistic-regression",
            model,
            promote,
            hyperparameters = hyperparameters ?? new { },
        });
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var id = (await submitted.Content.ReadFromJsonAsync<TrainingJobResponse>())!.Id;
        var job = await Eventually.ReturnsAsync(
            async () => (await trainer.GetFromJsonAsync<TrainingJobResponse>($"/api/training/jobs/{id}"))!,
            job => job.Status is "succeeded" or "failed" or "canceled",
            TimeSpan.FromMinutes(2),
            $"training {model}");
        Assert.True(job.Status == "succeeded", job.Error);
        return job;
    }
}
