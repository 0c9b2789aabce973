using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using MlOps.Contracts.Serving;
using MlOps.TestSupport;

namespace MlOps.ServingService.Tests;

/// <summary>A model trained on a product catalogue's pictures, text and prices, served with pictures in base64 JSON or multipart.</summary>
public sealed class ImageServingTests(ServingPlatform platform) : IClassFixture<ServingPlatform>
{
    private const string Model = "catalog";

    [Fact]
    public async Task A_picture_in_base64_json_and_as_a_multipart_file_get_the_same_answer_and_the_log_keeps_its_hash()
    {
        var pictures = await TrainAsync();
        var serving = platform.AddServing();
        using var client = platform.Client(serving);
        var picture = pictures[0];

        using var json = await client.PostAsJsonAsync($"/api/predict/{Model}", Instance(picture));
        Assert.True(json.StatusCode == HttpStatusCode.OK, await json.Content.ReadAsStringAsync());
        using var form = Form(picture);
        using var multipart = await client.PostAsync($"/api/predict/{Model}", form);
        Assert.True(multipart.StatusCode == HttpStatusCode.OK, await multipart.Content.ReadAsStringAsync());
        using var batchResponse = await client.PostAsJsonAsync($"/api/predict/{Model}", new { instances = pictures.Take(3).Select(Instance).ToArray() });

        var fromJson = Assert.Single((await json.Content.ReadFromJsonAsync<PredictionResponse>())!.Predictions);
        var fromForm = Assert.Single((await multipart.Content.ReadFromJsonAsync<PredictionResponse>())!.Predictions);
        var batch = (await batchResponse.Content.ReadFromJsonAsync<PredictionResponse>())!.Predictions;
        Assert.Equal(fromJson.Label, fromForm.Label);
        Assert.Equal(fromJson.Probabilities, fromForm.Probabilities);
        Assert.Equal(fromJson.Probabilities, batch[0].Probabilities);
        Assert.Equal(3, batch.Count);
        Assert.Equal(8, fromJson.Probabilities!.Count);

        var logged = await Eventually.ReturnsAsync(
            () => PredictionTests.ExportAsync(client, Model),
            entries => entries.Any(entry => entry.Id == fromForm.Id) && entries.Any(entry => entry.Id == fromJson.Id),
            TimeSpan.FromSeconds(10),
            "both predictions reaching the inference log");
        foreach (var entry in logged.Where(entry => entry.Id == fromJson.Id || entry.Id == fromForm.Id))
        {
            var image = entry.Inputs.GetProperty("image");
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(picture)), image.GetProperty("sha256").GetString());
            Assert.Equal(picture.Length, image.GetProperty("bytes").GetInt32());
            Assert.False(image.TryGetProperty("b64", out _));
            Assert.Equal(32, image.GetProperty("sketch").GetArrayLength());
            Assert.Equal(12.5, entry.Inputs.GetProperty("price").GetDouble());
            Assert.Equal("Acme Classic Kettle K100", entry.Inputs.GetProperty("title").GetString());
        }

        var metrics = await serving.CreateClient().GetStringAsync("/metrics");
        Assert.Matches("""mlops_image_encoding_duration_seconds_count\{(?:otel_scope_\w+="[^"]*",)*model="catalog"\} [1-9]""", metrics);
    }

    [Fact]
    public async Task Bad_pictures_are_refused_naming_where_they_are_and_why()
    {
        var pictures = await TrainAsync();
        var serving = platform.AddServing();
        using var client = platform.Client(serving);
        var good = Instance(pictures[0]);

        var batch = await ErrorsAsync(await client.PostAsJsonAsync($"/api/predict/{Model}", new
        {
            instances = new object[]
            {
                good,
                good,
                new { title = "x", description = "y", price = 1, image = "not-an-object" },
                new { title = "x", description = "y", price = 1, image = new { b64 = "%%%" } },
            },
        }));
        // A well-formed request's pictures are decoded next: an undecodable one is named as well.
        var truncated = await ErrorsAsync(await client.PostAsJsonAsync($"/api/predict/{Model}", new
        {
            instances = new[] { good, Instance(pictures[1][..(pictures[1].Length / 2)]) },
        }));
        using var noFile = new MultipartFormDataContent { { new StringContent("a title"), "title" }, { new StringContent(""), "description" }, { new StringContent("3"), "price" } };
        var missingPart = await ErrorsAsync(await client.PostAsync($"/api/predict/{Model}", noFile));
        using var textForPicture = new MultipartFormDataContent { { new StringContent("a title"), "title" }, { new StringContent(""), "description" }, { new StringContent("3"), "price" }, { new StringContent("cat.png"), "image" } };
        var pictureAsText = await ErrorsAsync(await client.PostAsync($"/api/predict/{Model}", textForPicture));

        Assert.Equal("'image' cannot be used: The PNG image is truncated.", truncated.GetProperty("instances[1].image")[0].GetString());
        Assert.Single(truncated.EnumerateObject());
        Assert.Equal(2, batch.EnumerateObject().Count());
        Assert.StartsWith("'image' expects a picture as {\"b64\": \"<base64>\"}", batch.GetProperty("instances[2].image")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("'image' is not valid base64 in 'b64'.", batch.GetProperty("instances[3].image")[0].GetString());
        Assert.Equal("'image' is required: a file part with the picture.", missingPart.GetProperty("image")[0].GetString());
        Assert.Equal("'image' is an image input: send the picture as a file part named 'image'.", pictureAsText.GetProperty("image")[0].GetString());
    }

    /// <summary>Trains the catalogue model once per platform and returns the pictures of its dataset, from the data service.</summary>
    private async Task<byte[][]> TrainAsync()
    {
        var job = await platform.TrainAsync(Model, "product-catalog", "category", rows: 200);
        Assert.True(job.Status == "succeeded", job.Error);
        using var data = platform.ClientOf(platform.Data, "mlops.read");
        var zip = await data.GetByteArrayAsync("/api/datasets/product-catalog-200-1/versions/latest/content");
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return [.. archive.Entries.Where(entry => entry.FullName.EndsWith(".png", StringComparison.Ordinal)).Take(5).Select(entry =>
        {
            using var content = entry.Open();
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            return copy.ToArray();
        })];
    }

    private static object Instance(byte[] picture) =>
        new { title = "Acme Classic Kettle K100", description = "Great stainless easy oven value.", price = 12.5, image = new { b64 = Convert.ToBase64String(picture) } };

    private static MultipartFormDataContent Form(byte[] picture)
    {
        var file = new ByteArrayContent(picture);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent
        {
            { new StringContent("Acme Classic Kettle K100"), "title" },
            { new StringContent("Great stainless easy oven value."), "description" },
            { new StringContent("12.5"), "price" },
            { file, "image", "kettle.png" },
        };
    }

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
            return JsonDocument.Parse(body).RootElement.GetProperty("errors").Clone();
        }
    }
}
