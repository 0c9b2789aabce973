using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MlOps.ServiceDefaults.Telemetry.Prometheus;
using MlOps.TestSupport;

namespace MlOps.ServiceDefaults.Tests;

public sealed class PrometheusExpositionTests
{
    [Fact]
    public async Task Scrape_passes_promtool_check_metrics()
    {
        await using var app = await TestApp.StartAsync(web => web.MapGet("/hello", () => "hi").AllowAnonymous());
        await app.Client.GetStringAsync("/hello");

        var exposition = await ScrapeAsync(app);

        var (exitCode, output) = await Promtool.CheckMetricsAsync(exposition);
        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{output}");
    }

    [Fact]
    public async Task Metrics_answer_in_the_text_format_without_a_token()
    {
        await using var app = await TestApp.StartAsync(_ => { });

        using var response = await app.Client.GetAsync("/metrics");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString().Replace("\"", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Request_duration_histogram_is_cumulative_and_its_inf_bucket_equals_its_count()
    {
        await using var app = await TestApp.StartAsync(web => web.MapGet("/hello", () => "hi").AllowAnonymous());
        for (var i = 0; i < 3; i++)
        {
            await app.Client.GetStringAsync("/hello");
        }

        var samples = Parse(await ScrapeAsync(app));

        var buckets = samples
            .Where(s => s.Name == "http_server_request_duration_seconds_bucket" && s.Labels.Contains("http_route=\"/hello\""))
            .ToList();
        Assert.NotEmpty(buckets);
        for (var i = 1; i < buckets.Count; i++)
        {
            Assert.True(buckets[i].Value >= buckets[i - 1].Value, "bucket counts must not decrease");
        }

        Assert.Contains("le=\"+Inf\"", buckets[^1].Labels, StringComparison.Ordinal);
        var count = samples.Single(s => s.Name == "http_server_request_duration_seconds_count" && s.Labels.Contains("http_route=\"/hello\""));
        Assert.Equal(3, count.Value);
        Assert.Equal(count.Value, buckets[^1].Value);
        Assert.Contains(samples, s => s.Name == "http_server_request_duration_seconds_sum" && s.Value > 0);
    }

    [Fact]
    public async Task Own_instruments_get_unit_and_total_suffixes_and_escaped_label_values()
    {
        await using var app = await TestApp.StartAsync(_ => { });
        using var meter = new Meter("MlOps.Tests.Exposition");
        var counter = meter.CreateCounter<long>("mlops.widgets.processed", unit: "{widget}", description: "Widgets processed.\nSecond line");
        var histogram = meter.CreateHistogram<double>("mlops.widget.duration", unit: "s", description: "Widget time.");
        counter.Add(5, new KeyValuePair<string, object?>("model", "quote\"back\\slash\nnewline"));
        histogram.Record(0.2, new KeyValuePair<string, object?>("model", "m1"));

        var exposition = await ScrapeAsync(app);

        Assert.Contains("# HELP mlops_widgets_processed_total Widgets processed.\\nSecond line\n", exposition, StringComparison.Ordinal);
        Assert.Contains("# TYPE mlops_widgets_processed_total counter\n", exposition, StringComparison.Ordinal);
        Assert.Contains("mlops_widgets_processed_total{model=\"quote\\\"back\\\\slash\\nnewline\"} 5\n", exposition, StringComparison.Ordinal);
        Assert.Contains("# TYPE mlops_widget_duration_seconds histogram\n", exposition, StringComparison.Ordinal);
        Assert.Contains("mlops_widget_duration_seconds_count{model=\"m1\"} 1\n", exposition, StringComparison.Ordinal);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(exposition);
        Assert.True(exitCode == 0, output);
    }

    [Theory]
    [InlineData("http.server.request.duration", "s", "histogram", "http_server_request_duration_seconds")]
    [InlineData("mlops.predictions", "{prediction}", "counter", "mlops_predictions_total")]
    [InlineData("mlops.predictions.total", null, "counter", "mlops_predictions_total")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", "counter", "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("dotnet.process.cpu.count", "{cpu}", "gauge", "dotnet_process_cpu_count_value")]
    [InlineData("mlops.dataset.drift.share", "1", "gauge", "mlops_dataset_drift_share_ratio")]
    [InlineData("mlops.requests.rate", "{request}/s", "gauge", "mlops_requests_rate_per_second")]
    [InlineData("9lives-and spaces", "ms", "gauge", "_9lives_and_spaces_milliseconds")]
    public void Family_names_follow_the_OpenTelemetry_to_Prometheus_rules(string instrument, string? unit, string type, string expected) =>
        Assert.Equal(expected, PrometheusTextWriter.FamilyName(instrument, unit, type));

    private static async Task<string> ScrapeAsync(TestApp app) => await app.Client.GetStringAsync("/metrics");

    private sealed record Sample(string Name, string Labels, double Value);

    /// <summary>Reads the sample lines back (name, raw label set, value); comment lines are skipped.</summary>
    private static List<Sample> Parse(string exposition)
    {
        var samples = new List<Sample>();
        foreach (var line in exposition.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var lastSpace = line.LastIndexOf(' ');
            var name = brace >= 0 ? line[..brace] : line[..lastSpace];
            var labels = brace >= 0 ? line[(brace + 1)..line.LastIndexOf('}')] : string.Empty;
            var value = line[(lastSpace + 1)..] switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var text => double.Parse(text, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(name, labels, value));
        }

        return samples;
    }
}
