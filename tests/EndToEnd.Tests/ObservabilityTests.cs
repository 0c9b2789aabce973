using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlOps.TestSupport;

namespace MlOps.EndToEnd.Tests;

/// <summary>
/// The dashboards and rules against real data: a short workload through the gateway (a classifier and a regressor
/// trained and serving, predictions, feedback, a drift check that starts a retraining), scraped by the real Prometheus
/// the platform starts, then every recording rule and every PromQL expression of every dashboard panel and annotation
/// evaluated through Prometheus's HTTP API. Each must return at least one series; one that returns nothing is named.
/// </summary>
[Collection(RunningPlatform.Collection)]
public sealed class ObservabilityTests(RunningPlatform running)
{
    private const string Classifier = "observed-carts";
    private const string Regressor = "observed-wine";

    /// <summary>How Grafana fills its variables and intervals, for evaluating a panel's query outside Grafana.</summary>
    private static readonly (string Variable, string Value)[] GrafanaVariables =
    [
        ("${model}", ".*"), ("$model", ".*"), ("${service}", ".*"), ("$service", ".*"),
        ("$__rate_interval", "1m"), ("$__interval", "15s"), ("$__range", "10m"),
    ];

    [Fact]
    public async Task Every_dashboard_panel_and_recording_rule_returns_series_after_a_workload()
    {
        var started = DateTimeOffset.UtcNow;
        using var client = await running.AdminClientAsync();
        using var prometheus = new HttpClient { BaseAddress = running.Platform.UrlOf("prometheus") };
        await RunWorkloadAsync(client, prometheus, started);

        var rules = await RulesAsync(prometheus);
        Assert.Contains(rules, rule => rule.Type == "alerting");
        Assert.All(rules, rule => Assert.True(rule.Health is "ok" or "unknown", $"Rule {rule.Name} of group {rule.Group}: {rule.Health} {rule.Error}"));

        var queries = new List<(string Where, string Expr)>();
        queries.AddRange(rules.Where(rule => rule.Type == "recording").Select(rule => ($"recording rule {rule.Name} ({rule.Group})", rule.Name)));
        queries.AddRange(DashboardQueries());
        Assert.True(queries.Count > 30, $"Only {queries.Count} queries found.");

        // Series appear as Prometheus scrapes (every 5 s) and evaluates rules (every 5 s); rates need two samples.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        List<string> empty;
        while (true)
        {
            empty = [];
            foreach (var (where, expr) in queries)
            {
                if (!await ReturnsSeriesAsync(prometheus, expr, started.AddMinutes(-1)))
                {
                    empty.Add($"{where}: {expr}");
                }
            }

            if (empty.Count == 0 || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(1000);
        }

        Assert.True(empty.Count == 0, $"{empty.Count} of {queries.Count} queries return no series:\n{string.Join('\n', empty)}");
    }

    /// <summary>Train, serve, predict (with a few invalid requests), feedback, drift and decay, and an automatic retraining.</summary>
    private static async Task RunWorkloadAsync(HttpClient client, HttpClient prometheus, DateTimeOffset started)
    {
        await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/datasets/{Classifier}/versions/generate", new { generator = "cart-abandonment", rows = 3000, seed = 11 }));
        await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/datasets/{Regressor}/versions/generate", new { generator = "wine-price", rows = 2000, seed = 12 }));
        await TrainAsync(client, Classifier, "abandoned", "logistic-regression");
        await TrainAsync(client, Regressor, "price", "linear-regression");

        var drift = new Dictionary<string, object>
        {
            ["cart_value"] = new { meanShift = 1.5 },
            ["session_duration"] = new { meanShift = -1.5 },
            ["pages_visited"] = new { meanShift = 1.5 },
            ["time_of_day"] = new { categoryMix = new Dictionary<string, double> { ["night"] = 0.8, ["morning"] = 0.2 } },
        };
        await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/datasets/{Classifier}/versions/generate", new { generator = "cart-abandonment", rows = 1000, seed = 13, drift }));
        var (carts, labels) = await DatasetRows.ReadAsync(client, Classifier, "abandoned");
        var ids = await PredictAsync(client, Classifier, carts);
        var (wines, _) = await DatasetRows.ReadAsync(client, Regressor, "price");
        await PredictAsync(client, Regressor, wines.Take(500).ToList());
        using (var invalid = await client.PostAsJsonAsync($"/api/predict/{Classifier}", new { instances = new[] { new { cart_value = "not a number" } } }))
        {
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        await Eventually.ReturnsAsync(
            async () => (await client.GetStringAsync($"/api/serving/inference-log?model={Classifier}&last=1")).Contains(ids[^1].ToString(), StringComparison.Ordinal),
            logged => logged,
            TimeSpan.FromSeconds(30),
            "the newest prediction reaching the inference log");
        var feedback = ids.Take(500).Zip(labels, (id, label) => new { predictionId = id, actual = label != "true" }).ToArray();
        await Responses.SuccessfulAsync(client.PostAsJsonAsync("/api/feedback", new { items = feedback }));
        using (var checkedPerformance = await Responses.SuccessfulAsync(client.GetAsync($"/api/monitoring/{Classifier}/performance?last=1000")))
        {
            var performance = await checkedPerformance.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(performance.GetProperty("decay").ValueKind is JsonValueKind.True or JsonValueKind.False, performance.ToString());
        }

        // The gauges show the newest check of the production version. The policy's first scheduled check, soon after it
        // is set, may already see the retrained version, without feedback: let Prometheus record this verdict first.
        var verdict = $"mlops_model_decay{{model=\"{Classifier}\"}}";
        await Eventually.ReturnsAsync(() => ReturnsSeriesAsync(prometheus, verdict, started), scraped => scraped, TimeSpan.FromSeconds(30), "Prometheus scraping the decay verdict");
        await Responses.SuccessfulAsync(client.PutAsJsonAsync($"/api/monitoring/{Classifier}/policy", new
        {
            checkInterval = "1h", last = 1000, autoRetrain = true, retrainCooldown = "1h", minFeedbackSamples = 200,
        }));

        await Responses.SuccessfulAsync(client.GetAsync($"/api/monitoring/{Regressor}/drift?last=500"));
        using var report = await Responses.SuccessfulAsync(client.GetAsync($"/api/monitoring/{Classifier}/drift?last=1000"));
        var driftReport = await report.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(driftReport.GetProperty("datasetDrift").GetBoolean(), driftReport.ToString());
    }

    private static async Task TrainAsync(HttpClient client, string model, string target, string algorithm)
    {
        using var submitted = await Responses.SuccessfulAsync(client.PostAsJsonAsync("/api/training/jobs", new { dataset = model, target, algorithm, model, promote = "always" }));
        var job = await Eventually.ReturnsAsync(
            () => client.GetFromJsonAsync<JsonElement>(submitted.Headers.Location),
            state => state.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled",
            TimeSpan.FromMinutes(3),
            $"training {model}");
        Assert.True(job.GetProperty("status").GetString() == "succeeded", job.ToString());
    }

    private static async Task<List<Guid>> PredictAsync(HttpClient client, string model, List<JsonObject> instances)
    {
        var ids = new List<Guid>(instances.Count);
        foreach (var batch in instances.Chunk(250))
        {
            using var response = await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/predict/{model}", new { instances = batch }));
            var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
            ids.AddRange(answer.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("id").GetGuid()));
        }

        return ids;
    }

    private sealed record LoadedRule(string Group, string Name, string Type, string Health, string? Error);

    private static async Task<List<LoadedRule>> RulesAsync(HttpClient prometheus)
    {
        var answer = await prometheus.GetFromJsonAsync<JsonElement>("/api/v1/rules");
        return
        [
            .. answer.GetProperty("data").GetProperty("groups").EnumerateArray().SelectMany(group => group.GetProperty("rules").EnumerateArray().Select(rule =>
                new LoadedRule(
                    group.GetProperty("name").GetString()!,
                    rule.GetProperty("name").GetString()!,
                    rule.GetProperty("type").GetString()!,
                    rule.GetProperty("health").GetString()!,
                    rule.TryGetProperty("lastError", out var error) ? error.GetString() : null))),
        ];
    }

    /// <summary>Every panel target's and annotation's expression of every provisioned dashboard, named by dashboard and panel.</summary>
    private static IEnumerable<(string Where, string Expr)> DashboardQueries()
    {
        var folder = Path.Combine(RepositoryRoot(), "deploy", "grafana", "provisioning", "dashboards");
        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var dashboard = JsonNode.Parse(File.ReadAllText(file))!;
            var title = (string)dashboard["title"]!;
            foreach (var panel in dashboard["panels"]!.AsArray())
            {
                foreach (var target in panel!["targets"]?.AsArray() ?? [])
                {
                    yield return ($"dashboard '{title}', panel '{panel["title"]}' ({target!["refId"]})", Substitute((string)target["expr"]!));
                }
            }

            foreach (var annotation in dashboard["annotations"]?["list"]?.AsArray() ?? [])
            {
                if ((string?)annotation!["expr"] is { } expr)
                {
                    yield return ($"dashboard '{title}', annotation '{annotation["name"]}'", Substitute(expr));
                }
            }
        }
    }

    private static string Substitute(string expr)
    {
        foreach (var (variable, value) in GrafanaVariables)
        {
            expr = expr.Replace(variable, value, StringComparison.Ordinal);
        }

        return expr;
    }

    private static async Task<bool> ReturnsSeriesAsync(HttpClient prometheus, string expr, DateTimeOffset from)
    {
        using var response = await prometheus.PostAsync("/api/v1/query_range", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["query"] = expr,
            ["start"] = from.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["end"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["step"] = "5",
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Prometheus refused {expr}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("result").GetArrayLength() > 0;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, "deploy", "grafana")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No deploy/grafana folder above {AppContext.BaseDirectory}.");
    }
}
