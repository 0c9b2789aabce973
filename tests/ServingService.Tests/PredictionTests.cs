using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MlOps.Contracts.Serving;
using MlOps.TestSupport;

namespace MlOps.ServingService.Tests;

public sealed class PredictionTests(ServingPlatform platform) : IClassFixture<ServingPlatform>
{
    [Fact]
    public async Task A_single_instance_is_scored_by_the_production_version_and_logged_with_its_id()
    {
        await platform.CartsAsync();
        var serving = platform.AddServing();
        using var client = platform.Client(serving);
        var instance = CartInstances.One();

        using var response = await client.PostAsJsonAsync("/api/predict/carts", instance);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var body = (await response.Content.ReadFromJsonAsync<PredictionResponse>())!;

        Assert.Equal(("carts", 1), (body.Model, body.Version));
        var prediction = Assert.Single(body.Predictions);
        Assert.True(prediction.Label is "true" or "false", prediction.Label);
        Assert.Equal(1.0, prediction.Probabilities!.Values.Sum(), 9);
        Assert.Equal(prediction.Label, prediction.Probabilities.MaxBy(pair => pair.Value).Key);
        Assert.Null(prediction.Value);

        var logged = await Eventually.ReturnsAsync(
            () => ExportAsync(client, "carts"),
            entries => entries.Any(entry => entry.Id == prediction.Id),
            TimeSpan.FromSeconds(10),
            "the prediction reaching the inference log");
        var entry = logged.Single(e => e.Id == prediction.Id);
        Assert.Equal((1, "alice"), (entry.Version, entry.Caller));
        Assert.Equal(12.5, entry.Inputs.GetProperty("session_duration").GetDouble());
        Assert.Equal(prediction.Label, entry.Output.GetProperty("label").GetString());
        Assert.False(string.IsNullOrEmpty(entry.RequestId));

        var metrics = await serving.CreateClient().GetStringAsync("/metrics");
        // Other test classes serve "carts" in this process too: counts are at least this test's, not exactly.
        Assert.Matches("""mlops_predictions_total\{(?:otel_scope_\w+="[^"]*",)*model="carts",outcome="ok",version="1"\} [1-9]""", metrics);
        Assert.Matches("""mlops_prediction_duration_seconds_count\{(?:otel_scope_\w+="[^"]*",)*model="carts"\} [1-9]""", metrics);
        Assert.Matches($$"""mlops_prediction_classes_total\{(?:otel_scope_\w+="[^"]*",)*class="{{prediction.Label}}",model="carts",version="1"\} [1-9]""", metrics);
        await Promtool.CheckMetricsAsync(metrics);
    }

    [Fact]
    public async Task A_batch_is_scored_in_order_with_a_unique_id_per_instance_and_equal_to_single_scoring()
    {
        await platform.CartsAsync();
        var serving = platform.AddServing();
        using var client = platform.Client(serving);
        var instances = new[] { CartInstances.One(2, 1, 10), CartInstances.One(60, 30, 400, "night"), CartInstances.One() };

        using var response = await client.PostAsJsonAsync("/api/predict/carts", new { instances });
        var batch = (await response.Content.ReadFromJsonAsync<PredictionResponse>())!;
        var singles = new List<PredictionResult>();
        foreach (var instance in instances)
        {
            using var single = await client.PostAsJsonAsync("/api/predict/carts", instance);
            singles.Add(Assert.Single((await single.Content.ReadFromJsonAsync<PredictionResponse>())!.Predictions));
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, batch.Predictions.Select(p => p.Id).Distinct().Count());
        Assert.Equal(singles.Select(p => p.Probabilities!["true"]), batch.Predictions.Select(p => p.Probabilities!["true"]));
    }

    [Fact]
    public async Task Every_input_error_of_every_instance_is_listed()
    {
        await platform.CartsAsync();
        var serving = platform.AddServing();
        using var client = platform.Client(serving);
        var unknown = CartInstances.One();
        unknown["coupon"] = "SAVE10";
        var missing = CartInstances.One();
        missing.Remove("cart_value");
        var wrongType = CartInstances.One();
        wrongType["pages_visited"] = "many";
        var nested = CartInstances.One();
        nested["time_of_day"] = new[] { "morning" };
        var nulls = CartInstances.One();
        nulls["cart_value"] = null;

        using var response = await client.PostAsJsonAsync("/api/predict/carts", new { instances = new object[] { unknown, missing, wrongType, nested, 5, nulls } });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(
            ["instances[0].coupon", "instances[1].cart_value", "instances[2].pages_visited", "instances[3].time_of_day", "instances[4]"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("not an input", errors.GetProperty("instances[0].coupon")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("is required", errors.GetProperty("instances[1].cart_value")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("expects a number", errors.GetProperty("instances[2].pages_visited")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("got a JSON array", errors.GetProperty("instances[3].time_of_day")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await platform.ScalarAsync("SELECT count(*) FROM serving.inference_log WHERE inputs::jsonb ? 'coupon'"));
    }

    [Fact]
    public async Task A_text_input_holding_a_NUL_character_is_refused_naming_the_input()
    {
        await platform.CartsAsync();
        var serving = platform.AddServing();
        using var client = platform.Client(serving);
        var instance = CartInstances.One();
        instance["time_of_day"] = "morn\u0000ing";

        using var response = await client.PostAsJsonAsync("/api/predict/carts", instance);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("U+0000", problem.GetProperty("errors").GetProperty("time_of_day")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_value_sent_as_null_and_an_unseen_category_are_scored_as_in_training()
    {
        await platform.CartsAsync();
        var serving = platform.AddServing();
        using var client = platform.Client(serving);
        var instance = CartInstances.One(timeOfDay: "teatime");
        instance["cart_value"] = null;

        using var response = await client.PostAsJsonAsync("/api/predict/carts", instance);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Malformed_requests_are_refused_with_a_problem_that_says_why()
    {
        await platform.CartsAsync();
        var serving = platform.AddServing(new Dictionary<string, string> { ["Serving:MaxRequestBytes"] = "4096", ["Serving:MaxBatchInstances"] = "5" });
        using var client = platform.Client(serving);
        using var anonymous = serving.CreateClient();
        using var reader = platform.Client(serving, "mlops.read");

        var cases = new (HttpResponseMessage Response, HttpStatusCode Status, string Text)[]
        {
            (await client.PostAsync("/api/predict/carts", new StringContent("{\"session_duration\":", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "not valid JSON"),
            (await client.PostAsync("/api/predict/carts", new StringContent("[1, 2]", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "must be a JSON object"),
            (await client.PostAsJsonAsync("/api/predict/carts", new { instances = 3 }), HttpStatusCode.BadRequest, "must be an array"),
            (await client.PostAsJsonAsync("/api/predict/carts", new { instances = Array.Empty<object>() }), HttpStatusCode.BadRequest, "1 to 5 instances"),
            (await client.PostAsJsonAsync("/api/predict/carts", new { instances = Enumerable.Repeat(CartInstances.One(), 6) }), HttpStatusCode.BadRequest, "1 to 5 instances"),
            (await client.PostAsJsonAsync("/api/predict/carts", new { instances = Enumerable.Repeat(CartInstances.One(), 40) }), HttpStatusCode.RequestEntityTooLarge, "Serving:MaxRequestBytes"),
            (await client.PostAsync("/api/predict/carts", new StringContent("session_duration=3", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType, "application/json"),
            (await client.PostAsJsonAsync("/api/predict/carts?alias=staging&version=1", CartInstances.One()), HttpStatusCode.BadRequest, "not both"),
            (await client.PostAsJsonAsync("/api/predict/carts?alias=Prod!", CartInstances.One()), HttpStatusCode.BadRequest, "not an alias name"),
            (await client.PostAsJsonAsync("/api/predict/carts?version=0", CartInstances.One()), HttpStatusCode.BadRequest, "1 or more"),
            (await client.PostAsJsonAsync("/api/predict/nothing-here", CartInstances.One()), HttpStatusCode.NotFound, "no model 'nothing-here'"),
            (await client.PostAsJsonAsync("/api/predict/carts?alias=staging", CartInstances.One()), HttpStatusCode.NotFound, "alias 'staging'"),
            (await client.PostAsJsonAsync("/api/predict/carts?version=9", CartInstances.One()), HttpStatusCode.NotFound, "version 9"),
        };

        foreach (var (response, status, text) in cases)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status && body.Contains(text, StringComparison.Ordinal), $"{response.RequestMessage!.RequestUri}: {response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            response.Dispose();
        }

        using var unauthorized = await anonymous.PostAsJsonAsync("/api/predict/carts", CartInstances.One());
        using var forbidden = await reader.PostAsJsonAsync("/api/predict/carts", CartInstances.One());
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task A_regression_model_answers_a_value_and_pinned_versions_and_other_aliases_are_served()
    {
        await platform.TrainAsync("wine", "wine-price", "price", rows: 1500);
        await platform.TrainAsync("wine", "wine-price", "price", rows: 1500, seed: 2, promote: "never");
        await platform.MoveAliasAsync("wine", "staging", 2);
        var serving = platform.AddServing();
        using var client = platform.Client(serving);
        var wine = new Dictionary<string, object?>
        {
            ["country"] = "France", ["province"] = "Bordeaux", ["vintage"] = 2015, ["points"] = 91,
            ["description"] = "Ripe dark fruit, firm tannins and a long finish.",
        };

        var production = (await (await client.PostAsJsonAsync("/api/predict/wine", wine)).Content.ReadFromJsonAsync<PredictionResponse>())!;
        var staging = (await (await client.PostAsJsonAsync("/api/predict/wine?alias=staging", wine)).Content.ReadFromJsonAsync<PredictionResponse>())!;
        var pinned = (await (await client.PostAsJsonAsync("/api/predict/wine?version=2", wine)).Content.ReadFromJsonAsync<PredictionResponse>())!;
        var served = (await client.GetFromJsonAsync<ServedModel[]>("/api/serving/models"))!;

        Assert.Equal((1, 2, 2), (production.Version, staging.Version, pinned.Version));
        var value = Assert.Single(production.Predictions).Value;
        Assert.InRange(value!.Value, 4, 1000);
        Assert.Null(production.Predictions[0].Label);
        Assert.Equal(staging.Predictions[0].Value, pinned.Predictions[0].Value);
        Assert.Contains(served, m => m is { Model: "wine", Alias: "production", Version: 1, LoadError: null });
        Assert.Contains(served, m => m is { Model: "wine", Alias: "staging", Version: 2 });
        Assert.Contains(served, m => m is { Model: "wine", Alias: null, Version: 2 });
    }

    [Fact]
    public async Task A_caller_over_its_rate_for_a_model_gets_429_with_retry_after_and_others_are_not_held_back()
    {
        await platform.CartsAsync();
        var serving = platform.AddServing(new Dictionary<string, string> { ["Serving:PermitsPerSecond"] = "1", ["Serving:Burst"] = "2" });
        using var alice = platform.Client(serving);
        using var bob = platform.Client(serving, subject: "bob");
        using (var warm = platform.Client(serving, subject: "carol"))
        {
            // Loads the model with another caller's bucket, so alice's requests follow each other quickly.
            using var loaded = await warm.PostAsJsonAsync("/api/predict/carts", CartInstances.One());
            Assert.Equal(HttpStatusCode.OK, loaded.StatusCode);
        }

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6; i++)
        {
            var response = await alice.PostAsJsonAsync("/api/predict/carts", CartInstances.One());
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited ??= response;
            }
        }

        using var other = await bob.PostAsJsonAsync("/api/predict/carts", CartInstances.One());

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(2));
        Assert.NotNull(limited);
        Assert.True(limited.Headers.RetryAfter!.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    internal static async Task<List<InferenceLogEntry>> ExportAsync(HttpClient client, string model, string query = "")
    {
        var text = await client.GetStringAsync($"/api/serving/inference-log?model={model}{query}");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize<InferenceLogEntry>(line, JsonSerializerOptions.Web)!)
            .ToList();
    }
}
