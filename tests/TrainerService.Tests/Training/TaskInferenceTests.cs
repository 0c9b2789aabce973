using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Training;
using MlOps.TestSupport;

namespace MlOps.TrainerService.Tests.Training;

/// <summary>
/// A job without a task gets the one AutoML tools would infer from its target and algorithm, and its answer says why:
/// two distinct values are binary whatever their type, a few distinct whole numbers are classes for an algorithm that
/// only classifies, other numbers are a regression; a task given still overrides.
/// </summary>
public sealed class TaskInferenceTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private TrainerPlatform _platform = null!;

    public async Task InitializeAsync()
    {
        _platform = await TrainerPlatform.StartAsync(postgres);
        await _platform.UploadAsync("tumours", Rows(400, (x, random) => x + random.NextDouble() > 1 ? "1" : "0"));
        await _platform.UploadAsync("grades", Rows(400, (x, random) => ((int)(x * 2.5)).ToString(CultureInfo.InvariantCulture)));
        await _platform.UploadAsync("many-grades", Rows(400, (x, random) => ((int)(x * 30)).ToString(CultureInfo.InvariantCulture)));
        await _platform.UploadAsync("prices", Rows(400, (x, random) => (x * 3.25).ToString("0.00", CultureInfo.InvariantCulture)));
    }

    public async Task DisposeAsync() => await _platform.DisposeAsync();

    [Fact]
    public async Task A_zero_one_target_with_logistic_regression_and_no_task_trains_as_binary()
    {
        var accepted = await _platform.SubmitAsync(new { dataset = "tumours", target = "y", algorithm = "logistic-regression", model = "tumours" });

        Assert.Equal("binary", accepted.Task);
        Assert.Contains("exactly two distinct values", accepted.TaskReason, StringComparison.Ordinal);
        var job = await _platform.WaitForJobAsync(accepted.Id);
        Assert.True(job.Status == "succeeded", job.Error);
        using var client = _platform.Client();
        var version = (await client.GetFromJsonAsync<ModelVersionResponse>("/api/models/tumours/versions/1"))!;
        Assert.Equal(["0", "1"], version.Classes);
        Assert.Contains("auc", version.Metrics.Keys);
    }

    [Theory]
    [InlineData("grades", "logistic-regression", null, "multiclass", "3 distinct whole numbers")]
    [InlineData("grades", "gbdt", null, "regression", "is numeric")]
    [InlineData("tumours", "linear-regression", null, "regression", "only does regression")]
    [InlineData("tumours", "gbdt", "regression", "regression", "task was given")]
    [InlineData("tumours", "random-forest", null, "binary", "exactly two distinct values")]
    public async Task The_inferred_task_and_its_reason_are_in_the_job(string dataset, string algorithm, string? task, string expected, string reason)
    {
        var accepted = await _platform.SubmitAsync(new { dataset, target = "y", algorithm, task, model = $"{dataset}-{algorithm}" });

        Assert.Equal(expected, accepted.Task);
        Assert.Contains(reason, accepted.TaskReason, StringComparison.Ordinal);
        Assert.Equal(accepted.TaskReason, (await _platform.GetJobAsync(accepted.Id)).TaskReason);
    }

    [Theory]
    [InlineData("many-grades", "30 distinct whole numbers, more than 20")]
    [InlineData("prices", "is numeric")]
    public async Task Numbers_that_are_not_a_few_whole_numbers_are_not_classes_for_a_classifier(string dataset, string mention)
    {
        using var client = _platform.Client();
        using var response = await client.PostAsJsonAsync("/api/training/jobs", new { dataset, target = "y", algorithm = "logistic-regression", model = "m" });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = problem.GetProperty("errors").GetProperty("algorithm")[0].GetString()!;
        Assert.Contains("handles binary and multiclass, not regression", message, StringComparison.Ordinal);
        Assert.Contains(mention, message, StringComparison.Ordinal);
    }

    /// <summary>A feature x in [0, 1) and a target y made from it.</summary>
    private static string Rows(int count, Func<double, Random, string> target)
    {
        var random = new Random(5);
        var csv = new StringBuilder("x,y\n");
        for (var i = 0; i < count; i++)
        {
            var x = random.NextDouble();
            csv.Append(CultureInfo.InvariantCulture, $"{x:0.0000},{target(x, random)}\n");
        }

        return csv.ToString();
    }
}
