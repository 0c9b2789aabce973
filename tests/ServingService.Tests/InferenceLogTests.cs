using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MlOps.Contracts.Serving;
using MlOps.TestSupport;

namespace MlOps.ServingService.Tests;

public sealed class InferenceLogTests(ServingPlatform platform) : IClassFixture<ServingPlatform>
{
    [Fact]
    public async Task A_thirty_second_database_outage_under_load_loses_no_prediction_log_and_doubles_none()
    {
        await platform.CartsAsync();
        var serving = platform.AddServing(new Dictionary<string, string>
        {
            ["InferenceLog:BatchSize"] = "500",
            ["Serving:PermitsPerSecond"] = "1000000",
            ["Serving:Burst"] = "1000000",
        });
        using var client = platform.Client(serving);
        var answered = new ConcurrentBag<Guid>();
        var refused = 0;
        using var stop = new CancellationTokenSource();
        var instances = new { instances = Enumerable.Range(0, 5).Select(i => CartInstances.One(pages: i + 1)).ToArray() };
        var load = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.PostAsJsonAsync("/api/predict/carts", instances);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    foreach (var prediction in (await response.Content.ReadFromJsonAsync<PredictionResponse>())!.Predictions)
                    {
                        answered.Add(prediction.Id);
                    }
                }
                else
                {
                    Interlocked.Increment(ref refused);
                }

                // Bounded load: a few hundred requests a second is plenty to keep records flowing through the outage.
                await Task.Delay(5);
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(3));
        await platform.Postgres.Server.StopAsync(CancellationToken.None);
        var beforeOutage = answered.Count;
        await Task.Delay(TimeSpan.FromSeconds(30));
        var duringOutage = answered.Count - beforeOutage;
        await platform.Postgres.Server.StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var ids = answered.ToHashSet();
        var stored = await Eventually.ReturnsAsync(
            () => platform.IdsAsync("SELECT id FROM serving.inference_log WHERE model = 'carts'"),
            logged => ids.IsSubsetOf(logged),
            TimeSpan.FromSeconds(60),
            $"all {ids.Count} answered predictions reaching the log");
        // A replayed batch is in the database a moment before it is counted.
        var metrics = await Eventually.ReturnsAsync(
            () => serving.CreateClient().GetStringAsync("/metrics"),
            text => Counter(text, "replayed") == Counter(text, "spilled"),
            TimeSpan.FromSeconds(10),
            "every spilled record being counted as replayed");

        Assert.Equal(0, refused);
        Assert.True(duringOutage > 100, $"only {duringOutage} predictions were answered during the outage");
        Assert.Equal(ids.Count, answered.Count);
        Assert.Superset(ids, stored);
        // Each id is the primary key: a record written twice would have failed its batch, not doubled a row.
        Assert.Equal(
            await platform.ScalarAsync("SELECT count(*) FROM serving.inference_log"),
            await platform.ScalarAsync("SELECT count(DISTINCT id) FROM serving.inference_log"));
        Assert.True(Counter(metrics, "spilled") > 0, metrics);
        Assert.Equal(Counter(metrics, "spilled"), Counter(metrics, "replayed"));
        Assert.Equal(0, Counter(metrics, "dropped"));
    }

    [Fact]
    public async Task When_the_database_and_the_spill_are_both_full_predictions_are_refused_rather_than_left_unlogged()
    {
        await platform.CartsAsync();
        var serving = platform.AddServing(new Dictionary<string, string>
        {
            ["InferenceLog:Capacity"] = "20",
            ["InferenceLog:MaxSpillBytes"] = "1",
            ["InferenceLog:FlushInterval"] = "00:00:00",
        });
        using var client = platform.Client(serving);
        using (await client.PostAsJsonAsync("/api/predict/carts", CartInstances.One()))
        {
        }

        var answered = new List<Guid>();
        HttpResponseMessage? refusal = null;
        await platform.Postgres.Server.StopAsync(CancellationToken.None);
        try
        {
            for (var i = 0; i < 200 && refusal is null; i++)
            {
                var response = await client.PostAsJsonAsync("/api/predict/carts", CartInstances.One(pages: i % 30 + 1));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    answered.Add((await response.Content.ReadFromJsonAsync<PredictionResponse>())!.Predictions[0].Id);
                    response.Dispose();
                }
                else
                {
                    refusal = response;
                }
            }
        }
        finally
        {
            await platform.Postgres.Server.StartAsync(CancellationToken.None);
        }

        Assert.NotNull(refusal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refusal.StatusCode);
        Assert.NotNull(refusal.Headers.RetryAfter);
        Assert.Contains("inference log", await refusal.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.InRange(answered.Count, 1, 20);
        refusal.Dispose();

        var after = await Eventually.ReturnsAsync(
            () => client.PostAsJsonAsync("/api/predict/carts", CartInstances.One()),
            response => response.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            "predictions being answered again");
        answered.Add((await after.Content.ReadFromJsonAsync<PredictionResponse>())!.Predictions[0].Id);
        var logged = await Eventually.ReturnsAsync(
            async () => await platform.IdsAsync("SELECT id FROM serving.inference_log"),
            ids => answered.All(ids.Contains),
            TimeSpan.FromSeconds(30),
            "every answered prediction reaching the log");
        Assert.Superset(answered.ToHashSet(), logged);
    }

    [Fact]
    public async Task Records_spilled_by_a_replica_that_stopped_are_written_by_its_next_start()
    {
        await platform.CartsAsync();
        var spill = Path.Combine(Path.GetTempPath(), "mlops-spill-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = new Dictionary<string, string> { ["InferenceLog:SpillDirectory"] = spill };
        var first = platform.AddServing(settings);
        var answered = new List<Guid>();
        using (var client = platform.Client(first))
        {
            using (await client.PostAsJsonAsync("/api/predict/carts", CartInstances.One()))
            {
            }

            await platform.Postgres.Server.StopAsync(CancellationToken.None);
            try
            {
                for (var i = 0; i < 10; i++)
                {
                    using var response = await client.PostAsJsonAsync("/api/predict/carts", CartInstances.One(pages: 40 + i));
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    answered.Add((await response.Content.ReadFromJsonAsync<PredictionResponse>())!.Predictions[0].Id);
                }

                await first.DisposeAsync();
            }
            finally
            {
                await platform.Postgres.Server.StartAsync(CancellationToken.None);
            }
        }

        Assert.NotEmpty(Directory.EnumerateFiles(spill, "*.ndjson"));
        platform.AddServing(settings);
        var logged = await Eventually.ReturnsAsync(
            () => platform.IdsAsync("SELECT id FROM serving.inference_log"),
            ids => answered.All(ids.Contains),
            TimeSpan.FromSeconds(30),
            "the spilled records reaching the log");
        Assert.Superset(answered.ToHashSet(), logged);
        await Eventually.ReturnsAsync(
            () => Task.FromResult(Directory.EnumerateFiles(spill, "*.ndjson").Count()),
            count => count == 0,
            TimeSpan.FromSeconds(10),
            "the replayed spill segments being deleted");
        Directory.Delete(spill, recursive: true);
    }

    [Fact]
    public async Task The_export_streams_a_models_log_as_ndjson_page_by_page()
    {
        await platform.CartsAsync();
        var serving = platform.AddServing();
        using var client = platform.Client(serving);
        var since = DateTimeOffset.UtcNow;
        var sent = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.PostAsJsonAsync("/api/predict/carts", CartInstances.One(pages: i + 1));
            sent.Add((await response.Content.ReadFromJsonAsync<PredictionResponse>())!.Predictions[0].Id);
        }

        await Eventually.ReturnsAsync(
            async () => (await PredictionTests.ExportAsync(client, "carts", $"&since={Uri.EscapeDataString(since.ToString("O"))}")).Count,
            count => count >= 5,
            TimeSpan.FromSeconds(10),
            "the predictions reaching the log");
        var pages = new List<List<InferenceLogEntry>>();
        var query = $"&since={Uri.EscapeDataString(since.ToString("O"))}&limit=2";
        while (true)
        {
            var page = await PredictionTests.ExportAsync(client, "carts", query + (pages.Count > 0 ? $"&after={pages[^1][^1].Id}" : ""));
            pages.Add(page);
            if (page.Count < 2)
            {
                break;
            }
        }

        // The newest 3 of what was logged, oldest first, paged as the rest.
        var newest = await PredictionTests.ExportAsync(client, "carts", "&last=3");
        var newestPaged = await PredictionTests.ExportAsync(client, "carts", $"&last=3&limit=2&after={newest[0].Id}");
        using var badLast = await client.GetAsync("/api/serving/inference-log?model=carts&last=0");
        using var response2 = await client.GetAsync("/api/serving/inference-log?model=carts");
        using var noModel = await client.GetAsync("/api/serving/inference-log");
        using var badLimit = await client.GetAsync("/api/serving/inference-log?model=carts&limit=0");

        Assert.Equal([2, 2, 1], pages.Select(page => page.Count));
        Assert.Equal(sent, pages.SelectMany(page => page).Select(entry => entry.Id));
        Assert.Equal([1, 2, 3, 4, 5], pages.SelectMany(page => page).Select(entry => entry.Inputs.GetProperty("pages_visited").GetInt32()));
        Assert.Equal("application/x-ndjson", response2.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, noModel.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Equal(sent[2..], newest.Select(entry => entry.Id));
        Assert.Equal(sent[3..], newestPaged.Select(entry => entry.Id));
        Assert.Equal(HttpStatusCode.BadRequest, badLast.StatusCode);
    }

    [Fact]
    public async Task A_lookup_finds_logged_predictions_by_id_with_their_output_and_leaves_out_unknown_ids()
    {
        await platform.CartsAsync();
        var serving = platform.AddServing();
        using var client = platform.Client(serving);
        using var predicted = await client.PostAsJsonAsync("/api/predict/carts", new { instances = new[] { CartInstances.One(pages: 2), CartInstances.One(pages: 30) } });
        var predictions = (await predicted.Content.ReadFromJsonAsync<PredictionResponse>())!;
        var ids = predictions.Predictions.Select(p => p.Id).ToArray();
        var unknown = Guid.CreateVersion7();

        var found = await Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await client.PostAsJsonAsync("/api/serving/inference-log/lookup", new { ids = new[] { ids[0], unknown, ids[1], ids[0] } });
                response.EnsureSuccessStatusCode();
                return (await response.Content.ReadFromJsonAsync<PredictionLookupResponse>())!.Items;
            },
            items => items.Count == 2,
            TimeSpan.FromSeconds(10),
            "both predictions reaching the log");
        using var empty = await client.PostAsJsonAsync("/api/serving/inference-log/lookup", new { ids = Array.Empty<Guid>() });
        using var tooMany = await client.PostAsJsonAsync(
            "/api/serving/inference-log/lookup", new { ids = Enumerable.Range(0, 1001).Select(_ => Guid.NewGuid()).ToArray() });
        using var anonymous = await serving.CreateClient().PostAsJsonAsync("/api/serving/inference-log/lookup", new { ids });

        Assert.Equal(ids.Order(), found.Select(item => item.Id).Order());
        foreach (var item in found)
        {
            var served = predictions.Predictions.Single(p => p.Id == item.Id);
            Assert.Equal(("carts", predictions.Version), (item.Model, item.Version));
            Assert.Equal(served.Label, item.Output.GetProperty("label").GetString());
            Assert.Equal(served.Probabilities!["true"], item.Output.GetProperty("probabilities").GetProperty("true").GetDouble());
        }

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("between 1 and 1,000", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private static long Counter(string metrics, string state)
    {
        var match = Regex.Match(metrics, $"mlops_inference_log_records_total\\{{(?:otel_scope_\\w+=\"[^\"]*\",)*state=\"{state}\"\\}} (\\d+)");
        Assert.True(match.Success, $"no {state} counter in\n{metrics}");
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
