using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Contracts.Datasets;
using MlOps.ServiceConventions.Paging;
using MlOps.TestSupport;
using MlOps.TrainerService.Tests.Training;

namespace MlOps.TrainerService.Tests.Registry;

/// <summary>The data service deletes a dataset version only when the trainer says nothing stands on it.</summary>
public sealed class DatasetDeletionTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Csv1 = "x,y\n1,a\n2,b\n3,a\n4,b\n";
    private const string Csv2 = "x,y\n1,a\n2,b\n3,a\n4,b\n5,a\n";

    [Fact]
    public async Task A_version_a_registered_model_was_trained_on_is_kept_and_an_unused_one_is_deleted_for_good()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.GenerateAsync("carts", "cart-abandonment", 300);
        var trained = await platform.WaitForJobAsync((await platform.SubmitAsync(new { dataset = "carts", target = "abandoned", algorithm = "logistic-regression", model = "m" })).Id);
        Assert.True(trained.Status == "succeeded", trained.Error);
        await platform.UploadAsync("tiny", Csv1);
        await platform.UploadAsync("tiny", Csv2);
        using var admin = DataClient(platform, "mlops.admin mlops.read mlops.train", "dora");

        using var refused = await admin.DeleteAsync("/api/datasets/carts/versions/1");
        using var deleted = await admin.DeleteAsync("/api/datasets/tiny/versions/1");
        using var again = await admin.DeleteAsync("/api/datasets/tiny/versions/1");
        using var metadata = await admin.GetAsync("/api/datasets/tiny/versions/1");
        using var content = await admin.GetAsync("/api/datasets/tiny/versions/1/content");
        var listed = (await admin.GetFromJsonAsync<Page<DatasetVersionResponse>>("/api/datasets/tiny/versions"))!;
        var reuploaded = await platform.UploadAsync("tiny", Csv1);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("m version 1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("m", problem.GetProperty("modelVersions")[0].GetProperty("model").GetString());
        using (var stillThere = await admin.GetAsync("/api/datasets/carts/versions/1/content"))
        {
            Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, metadata.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, content.StatusCode);
        Assert.Equal([2], listed.Items.Select(v => v.Version));
        // Numbers are never reused: the same content again is a new version, 3.
        Assert.Equal(3, reuploaded.Version);
        Assert.Equal("dora", await platform.TextAsync("SELECT deleted_by FROM data.dataset_versions WHERE dataset = 'tiny' AND version = 1"));
        Assert.Single(Directory.EnumerateFiles(Path.Combine(platform.Artifacts.Path, "data"), "*", SearchOption.AllDirectories), path => path.Contains("tiny", StringComparison.Ordinal) && File.ReadAllText(path) == Csv1);
    }

    [Fact]
    public async Task A_version_a_queued_job_will_train_on_is_kept_and_deletes_need_the_admin_scope()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres, new Dictionary<string, string> { ["Training:Workers"] = "0" });
        await platform.GenerateAsync("carts", "cart-abandonment", 300);
        var queued = await platform.SubmitAsync(new { dataset = "carts", target = "abandoned", algorithm = "logistic-regression", model = "m" });
        using var admin = DataClient(platform, "mlops.admin");
        using var trainer = DataClient(platform, "mlops.read mlops.train");

        using var refused = await admin.DeleteAsync("/api/datasets/carts/versions/1");
        using var forbidden = await trainer.DeleteAsync("/api/datasets/carts/versions/1");
        using var unknown = await admin.DeleteAsync("/api/datasets/carts/versions/7");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(queued.Id, problem.GetProperty("activeJobs")[0].GetGuid());
        Assert.Contains("queued or running jobs", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task When_the_trainer_cannot_be_asked_nothing_is_deleted()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres, withTrainer: false);
        await platform.UploadAsync("tiny", Csv1);
        using var admin = DataClient(platform, "mlops.admin mlops.read");

        using var refused = await admin.DeleteAsync("/api/datasets/tiny/versions/1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("was not deleted", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var kept = await admin.GetAsync("/api/datasets/tiny/versions/1/content");
        Assert.Equal(Csv1, await kept.Content.ReadAsStringAsync());
    }

    private static HttpClient DataClient(TrainerPlatform platform, string scope, string subject = "alice")
    {
        var client = platform.Data.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", platform.Token(scope, subject));
        return client;
    }
}
