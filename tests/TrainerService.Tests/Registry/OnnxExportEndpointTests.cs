using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Onnx.Export;
using MlOps.Onnx.Protos;
using MlOps.TestSupport;
using MlOps.TrainerService.Tests.Training;

namespace MlOps.TrainerService.Tests.Registry;

/// <summary>
/// <c>GET /api/models/{name}/versions/{version}/onnx</c>: a trained version's ONNX form, made on the first request and
/// kept beside the model file; a version with hashed text has none, and says why. (That ONNX Runtime scores the file as
/// the platform does is MlOps.Onnx.Tests' subject.)
/// </summary>
public sealed class OnnxExportEndpointTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_trained_version_downloads_as_onnx_with_its_named_inputs_and_outputs_made_once_and_kept()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.GenerateAsync("carts", "cart-abandonment", 2000);
        using var client = platform.Client();
        var job = await platform.WaitForJobAsync((await platform.SubmitAsync(new
        {
            dataset = "carts", target = "abandoned", algorithm = "gbdt", model = "carts-gbdt", hyperparameters = new { rounds = 10 },
        })).Id);
        Assert.True(job.Status == "succeeded", job.Error);

        using var first = await client.GetAsync("/api/models/carts-gbdt/versions/1/onnx");
        var bytes = await first.Content.ReadAsByteArrayAsync();
        var kept = Directory.GetFiles(platform.Artifacts.Combine("trainer"), "*.onnx", SearchOption.AllDirectories);
        using var second = await client.GetAsync("/api/models/carts-gbdt/versions/1/onnx");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/onnx", first.Content.Headers.ContentType!.MediaType);
        Assert.Equal("carts-gbdt-v1.onnx", first.Content.Headers.ContentDisposition!.FileNameStar ?? first.Content.Headers.ContentDisposition.FileName);
        Assert.Equal(bytes, File.ReadAllBytes(Assert.Single(kept)));
        Assert.Equal(bytes, await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        var onnx = ModelProto.Parser.ParseFrom(bytes);
        Assert.Equal(
            ["session_duration", "pages_visited", "cart_value", "time_of_day", "device_mobile", "user_returning", "items_in_cart"],
            onnx.Graph.Input.Select(input => input.Name));
        Assert.Equal([OnnxOutputs.Probabilities, OnnxOutputs.Label], onnx.Graph.Output.Select(output => output.Name));
        Assert.Contains(onnx.OpsetImport, opset => opset.Domain == "ai.onnx.ml" && opset.Version == OnnxModelExport.MlOpset);
    }

    [Fact]
    public async Task A_version_with_hashed_text_answers_422_naming_the_column_and_an_unknown_version_404()
    {
        await using var platform = await TrainerPlatform.StartAsync(postgres);
        await platform.GenerateAsync("reviews", "review-sentiment", 1000);
        using var client = platform.Client();
        var job = await platform.WaitForJobAsync((await platform.SubmitAsync(new
        {
            dataset = "reviews", target = "sentiment", algorithm = "logistic-regression", model = "reviews-lr",
        })).Id);
        Assert.True(job.Status == "succeeded", job.Error);

        using var refused = await client.GetAsync("/api/models/reviews-lr/versions/1/onnx");
        using var missing = await client.GetAsync("/api/models/reviews-lr/versions/9/onnx");

        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("hashed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("'text'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
