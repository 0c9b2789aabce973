using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Contracts.Serving;
using MlOps.TestSupport;

namespace MlOps.ServingService.Tests;

public sealed class ReloadTests(ServingPlatform platform) : IClassFixture<ServingPlatform>
{
    // The load loop sends as fast as the machine answers: the per-caller limit is not what this test is about.
    private static readonly Dictionary<string, string> Unlimited = new() { ["Serving:PermitsPerSecond"] = "1000000", ["Serving:Burst"] = "1000000" };

    [Fact]
    public async Task An_alias_move_is_served_within_two_seconds_and_no_request_fails_while_it_happens()
    {
        await platform.TrainAsync("moving", "cart-abandonment", "abandoned");
        await platform.TrainAsync("moving", "cart-abandonment", "abandoned", seed: 2, promote: "never");
        var serving = platform.AddServing(Unlimited);
        using var client = platform.Client(serving);
        using (var warm = await client.PostAsJsonAsync("/api/predict/moving", CartInstances.One()))
        {
            Assert.Equal(1, (await warm.Content.ReadFromJsonAsync<PredictionResponse>())!.Version);
        }

        var failures = new ConcurrentQueue<string>();
        var firstOnTwo = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = new Stopwatch();
        var answered = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.PostAsJsonAsync("/api/predict/moving", CartInstances.One());
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    continue;
                }

                Interlocked.Increment(ref answered);
                if ((await response.Content.ReadFromJsonAsync<PredictionResponse>())!.Version == 2 && clock.IsRunning)
                {
                    firstOnTwo.TrySetResult(clock.Elapsed);
                }
            }
        })).ToArray();

        await Task.Delay(500);
        clock.Start();
        await platform.MoveAliasAsync("moving", "production", 2);
        var pickedUp = await firstOnTwo.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.True(answered > 20, $"only {answered} requests were answered");
        Assert.True(pickedUp < TimeSpan.FromSeconds(2), $"version 2 was first served {pickedUp} after the move");
        var served = (await client.GetFromJsonAsync<ServedModel[]>("/api/serving/models"))!;
        Assert.Contains(served, m => m is { Model: "moving", Alias: "production", Version: 2, LoadError: null });
    }

    [Fact]
    public async Task An_alias_removed_from_the_registry_is_no_longer_served_and_leaves_the_metrics()
    {
        await platform.TrainAsync("retired", "cart-abandonment", "abandoned");
        await platform.MoveAliasAsync("retired", "staging", 1);
        var serving = platform.AddServing();
        using var client = platform.Client(serving);
        using (var staged = await client.PostAsJsonAsync("/api/predict/retired?alias=staging", CartInstances.One()))
        {
            Assert.Equal(HttpStatusCode.OK, staged.StatusCode);
        }

        var loaded = LoadedInfo(await serving.CreateClient().GetStringAsync("/metrics"));
        Assert.Contains(loaded, line => line.Contains("alias=\"staging\"", StringComparison.Ordinal));

        await platform.RemoveAliasAsync("retired", "staging");
        await Eventually.ReturnsAsync(
            async () => (await client.GetFromJsonAsync<ServedModel[]>("/api/serving/models"))!,
            served => !served.Any(m => m is { Model: "retired", Alias: "staging" }),
            TimeSpan.FromSeconds(30),
            "serving to drop retired@staging");

        var metrics = await serving.CreateClient().GetStringAsync("/metrics");
        Assert.DoesNotContain(LoadedInfo(metrics), line => line.Contains("alias=\"staging\"", StringComparison.Ordinal));
        using var gone = await client.PostAsJsonAsync("/api/predict/retired?alias=staging", CartInstances.One());
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        Assert.Contains("staging", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var production = await client.PostAsJsonAsync("/api/predict/retired", CartInstances.One());
        Assert.Equal(HttpStatusCode.OK, production.StatusCode);
    }

    [Fact]
    public async Task A_version_whose_model_file_is_broken_does_not_replace_the_one_serving_and_health_says_so()
    {
        await platform.TrainAsync("fragile", "cart-abandonment", "abandoned");
        var broken = await platform.TrainAsync("fragile", "cart-abandonment", "abandoned", seed: 3, promote: "never");
        var serving = platform.AddServing();
        using var client = platform.Client(serving);
        using (await client.PostAsJsonAsync("/api/predict/fragile", CartInstances.One()))
        {
        }

        using var trainer = platform.ClientOf(platform.Trainer, "mlops.read");
        var version = await trainer.GetFromJsonAsync<JsonElement>($"/api/models/fragile/versions/{broken.ModelVersion}");
        var sha256 = version.GetProperty("artifact").GetProperty("sha256").GetString()!;
        var file = Directory.EnumerateFiles(platform.TrainerArtifacts, sha256, SearchOption.AllDirectories).Single();
        await File.WriteAllTextAsync(file, "{\"format\": \"not a model\"");

        await platform.MoveAliasAsync("fragile", "production", broken.ModelVersion!.Value);
        var served = await Eventually.ReturnsAsync(
            async () => (await client.GetFromJsonAsync<ServedModel[]>("/api/serving/models"))!.Single(m => m is { Model: "fragile", Alias: "production" }),
            model => model.LoadError is not null,
            TimeSpan.FromSeconds(15),
            "the failed load being reported");
        using var prediction = await client.PostAsJsonAsync("/api/predict/fragile", CartInstances.One());
        using var health = await serving.CreateClient().GetAsync("/health");
        var report = await health.Content.ReadFromJsonAsync<JsonElement>();
        var metrics = await serving.CreateClient().GetStringAsync("/metrics");

        Assert.Equal(1, served.Version);
        Assert.Contains("SHA-256", served.LoadError, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, prediction.StatusCode);
        Assert.Equal(1, (await prediction.Content.ReadFromJsonAsync<PredictionResponse>())!.Version);
        Assert.Equal("Degraded", report.GetProperty("checks").GetProperty("models").GetProperty("status").GetString());
        Assert.Matches("""mlops_model_load_failures_total\{(?:otel_scope_\w+="[^"]*",)*model="fragile"\} """, metrics);
        Assert.Matches("""mlops_model_loaded_info\{(?:otel_scope_\w+="[^"]*",)*alias="production",model="fragile",version="1"\} 1(\s|$)""", metrics);
        await Promtool.CheckMetricsAsync(metrics);
    }

    [Fact]
    public async Task Concurrent_first_requests_share_one_load()
    {
        await platform.TrainAsync("popular", "cart-abandonment", "abandoned", seed: 4);
        var serving = platform.AddServing();
        using var client = platform.Client(serving);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => client.PostAsJsonAsync("/api/predict/popular", CartInstances.One())));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        var metrics = await serving.CreateClient().GetStringAsync("/metrics");
        Assert.Matches("""mlops_model_loads_total\{(?:otel_scope_\w+="[^"]*",)*model="popular"\} 1(\s|$)""", metrics);
    }

    [Fact]
    public async Task Pinned_versions_beyond_the_limit_are_unloaded_least_recently_used_first()
    {
        await platform.TrainAsync("pinned", "cart-abandonment", "abandoned", seed: 5);
        await platform.TrainAsync("pinned", "cart-abandonment", "abandoned", seed: 6, promote: "never");
        var serving = platform.AddServing(new Dictionary<string, string> { ["Serving:MaxPinnedVersions"] = "1" });
        using var client = platform.Client(serving);

        foreach (var version in new[] { 1, 2, 1 })
        {
            using var response = await client.PostAsJsonAsync($"/api/predict/pinned?version={version}", CartInstances.One());
            Assert.Equal(version, (await response.Content.ReadFromJsonAsync<PredictionResponse>())!.Version);
        }

        var served = (await client.GetFromJsonAsync<ServedModel[]>("/api/serving/models"))!.Where(m => m.Model == "pinned").ToList();
        var metrics = await serving.CreateClient().GetStringAsync("/metrics");

        var only = Assert.Single(served);
        Assert.Equal((null, 1), (only.Alias, only.Version));
        // 1, then 2 (unloading 1), then 1 again (unloading 2): three reads of a model file.
        Assert.Matches("""mlops_model_loads_total\{(?:otel_scope_\w+="[^"]*",)*model="pinned"\} 3(\s|$)""", metrics);
    }

    private static string[] LoadedInfo(string metrics) =>
        metrics.Split('\n')
            .Where(line => line.StartsWith("mlops_model_loaded_info{", StringComparison.Ordinal))
            .Where(line => line.Contains("model=\"retired\"", StringComparison.Ordinal))
            .ToArray();
}
