using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
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
    public async Task Own_instruments_get_unit_and_total_suffixes_scope_labels_and_escaped_label_values()
    {
        await using var app = await TestApp.StartAsync(_ => { });
        using var meter = new Meter("MlOps.Tests.Exposition", "1.0");
        var counter = meter.CreateCounter<long>("mlops.widgets.processed", unit: "{widget}", description: "Widgets processed.");
        var histogram = meter.CreateHistogram<double>("mlops.widget.duration", unit: "s", description: "Widget time.");
        counter.Add(5, new KeyValuePair<string, object?>("model", "quote\"back\\slash\nnewline"));
        histogram.Record(0.2, new KeyValuePair<string, object?>("model", "m1"));

        var exposition = await ScrapeAsync(app);

        Assert.Contains("# TYPE mlops_widgets_processed_total counter\n", exposition, StringComparison.Ordinal);
        Assert.Contains(
            "mlops_widgets_processed_total{otel_scope_name=\"MlOps.Tests.Exposition\",otel_scope_version=\"1.0\",model=\"quote\\\"back\\\\slash\\nnewline\"} 5\n",
            exposition,
            StringComparison.Ordinal);
        Assert.Contains("# TYPE mlops_widget_duration_seconds histogram\n", exposition, StringComparison.Ordinal);
        Assert.Contains(
            "mlops_widget_duration_seconds_count{otel_scope_name=\"MlOps.Tests.Exposition\",otel_scope_version=\"1.0\",model=\"m1\"} 1\n",
            exposition,
            StringComparison.Ordinal);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(exposition);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Each_app_in_a_process_exports_its_own_instruments_not_another_apps_of_the_same_name()
    {
        // Tests host several apps in one process; meters are process-wide, and the SDK listens to them by name.
        await using var first = await TestApp.StartAsync(_ => { });
        await using var second = await TestApp.StartAsync(_ => { });
        AppItems(first).Add(1);
        AppItems(second).Add(7);

        var firstSamples = Parse(await ScrapeAsync(first));
        var secondSamples = Parse(await ScrapeAsync(second));

        Assert.Equal(1, Assert.Single(firstSamples, s => s.Name == "mlops_tests_app_items_total").Value);
        Assert.Equal(7, Assert.Single(secondSamples, s => s.Name == "mlops_tests_app_items_total").Value);
    }

    [Fact]
    public async Task Runtime_gauges_named_like_histogram_series_get_a_value_suffix()
    {
        await using var app = await TestApp.StartAsync(_ => { });

        var samples = Parse(await ScrapeAsync(app));

        var cpuCount = samples.Single(s => s.Name == "dotnet_process_cpu_count_value");
        Assert.Equal(Environment.ProcessorCount, cpuCount.Value);
        Assert.DoesNotContain(samples, s => s.Name == "dotnet_process_cpu_count");
        Assert.Contains(samples, s => s.Name == "dotnet_process_memory_working_set_bytes" && s.Value > 0);
    }

    /// <summary>A counter on the app's own meter factory, as a service's metrics class creates it.</summary>
    private static Counter<long> AppItems(TestApp app) =>
        app.App.Services.GetRequiredService<IMeterFactory>().Create("MlOps.Tests.App").CreateCounter<long>("mlops.tests.app.items", description: "Items.");

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
