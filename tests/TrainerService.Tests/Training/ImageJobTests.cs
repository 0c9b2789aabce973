using System.Net.Http.Json;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Training;
using MlOps.Learning.Features;
using MlOps.Learning.Models;
using MlOps.TestSupport;

namespace MlOps.TrainerService.Tests.Training;

/// <summary>Jobs on a dataset archive: its pictures are encoded by ResNet18 and learned beside its text and numbers.</summary>
public sealed class ImageJobTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Theory]
    [InlineData("logistic-regression")]
    [InlineData("gbdt")]
    public async Task A_job_on_a_catalogue_learns_from_its_pictures_text_and_price_and_records_the_encoder(string algorithm)
    {
        using var cache = TemporaryDirectory.Create("mlops-embeddings-");
        await using var platform = await TrainerPlatform.StartAsync(postgres, trainerSettings: new Dictionary<string, string>
        {
            ["Images:CacheDirectory"] = cache.Path,
        });
        await platform.GenerateAsync("catalog", "product-catalog", 240);
        using var client = platform.Client();

        var accepted = await platform.SubmitAsync(new
        {
            dataset = "catalog",
            target = "category",
            algorithm,
            model = "catalog-model",
            hyperparameters = algorithm == "gbdt" ? (object)new { rounds = 20 } : new { },
        });
        var job = await platform.WaitForJobAsync(accepted.Id);

        Assert.True(job.Status == "succeeded", job.Error);
        var version = (await client.GetFromJsonAsync<ModelVersionResponse>("/api/models/catalog-model/versions/1"))!;
        Assert.Equal(
            ["title:text", "description:text", "image:image", "price:numeric"],
            version.Inputs.Select(input => $"{input.Name}:{input.Type}"));
        Assert.InRange(version.Metrics["accuracy"], 0.25, 1.0); // eight categories: chance is 0.125
        Assert.InRange(version.Metrics["f1"], 0.2, 1.0);

        // Per-class precision, recall and F1 beside the counts; their mean over the classes seen is the macro-F1.
        var confusion = (await client.GetFromJsonAsync<ConfusionMatrixArtifact>($"/api/runs/{job.RunId}/artifacts/confusion-matrix.json"))!;
        Assert.Equal(confusion.Classes, confusion.PerClass!.Select(c => c.Class));
        var seen = confusion.PerClass!.Where((c, k) => c.Support > 0 || confusion.Counts.Any(row => row[k] > 0)).ToList();
        Assert.Equal(version.Metrics["f1"], seen.Average(c => c.F1), 9);
        Assert.Equal(confusion.Counts.Sum(row => row.Sum()), confusion.PerClass!.Sum(c => c.Support));

        using var artifact = await client.GetAsync("/api/models/catalog-model/versions/1/artifact");
        var model = ModelFile.Load(await artifact.Content.ReadAsStreamAsync());
        var image = Assert.Single(model.Featurizer.Columns.OfType<ImageFeaturizer>());
        Assert.Equal(("resnet18-imagenet", 512), (image.Encoding.Name, image.Encoding.Dimensions));
        Assert.Matches("^[0-9a-f]{64}$", image.Encoding.Sha256);
        // The reference profile keeps every picture's sketch (fewer than 500), what the drift monitor compares with.
        var reference = (await client.GetFromJsonAsync<ReferenceProfile>("/api/models/catalog-model/versions/1/reference"))!;
        var sketches = reference.ImageSketches!["image"];
        Assert.Equal(240, sketches.Length);
        Assert.All(sketches, sketch => Assert.Equal(ImageSketch.Dimensions, sketch.Length));
        Assert.Equal("image", reference.Features.Columns.Single(column => column.Name == "image").Type);

        // Every distinct picture was encoded once and kept under the encoder's weights.
        Assert.Equal(240, Directory.GetFiles(Path.Combine(cache.Path, image.Encoding.Sha256), "*.f32", SearchOption.AllDirectories).Length);
    }
}
