using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlOps.TestSupport;

namespace MlOps.AppHost.Tests;

/// <summary>
/// What <c>deploy/</c> ships for Prometheus and Grafana, checked by Prometheus's own tool and against Grafana's
/// dashboard model: the configuration and rules load, every alert's unit tests pass, and the dashboards are
/// provisionable JSON that only use the provisioned data source.
/// </summary>
public sealed class ObservabilityConfigurationTests
{
    private static readonly string[] DashboardUids = ["mlops-drift", "mlops-models", "mlops-platform", "mlops-training"];

    private static readonly string[] Variables = ["model", "service"];

    private static readonly string Deploy = RepositoryRoot.Combine("deploy");

    private static readonly JsonSerializerOptions Formatted = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public async Task Promtool_accepts_the_configuration_and_every_rule_file()
    {
        var rules = Directory.GetFiles(Path.Combine(Deploy, "prometheus", "rules"), "*.yml").Order(StringComparer.Ordinal).ToArray();
        Assert.Contains(rules, rule => rule.EndsWith("alerts.yml", StringComparison.Ordinal));
        Assert.Contains(rules, rule => rule.EndsWith("recording.yml", StringComparison.Ordinal));

        var config = await PromtoolAsync("check", "config", Path.Combine(Deploy, "prometheus", "prometheus.yml"));
        Assert.Contains($"SUCCESS: {rules.Length} rule files found", config);
        await PromtoolAsync(["check", "rules", .. rules]);
    }

    [Fact]
    public async Task Every_alert_has_unit_tests_and_they_pass()
    {
        var tests = Directory.GetFiles(Path.Combine(Deploy, "prometheus", "tests"), "*.test.yml");
        Assert.NotEmpty(tests);

        await PromtoolAsync(["test", "rules", .. tests]);
        var tested = string.Join('\n', tests.Select(File.ReadAllText));
        foreach (var alert in AlertNames())
        {
            Assert.True(tested.Contains($"alertname: {alert}", StringComparison.Ordinal), $"No unit test names alert {alert}.");
        }
    }

    [Fact]
    public async Task Every_alert_says_what_happened_and_links_a_runbook_section_that_exists()
    {
        var rules = await File.ReadAllTextAsync(Path.Combine(Deploy, "prometheus", "rules", "alerts.yml"));
        var runbooks = await File.ReadAllTextAsync(Path.Combine(Deploy, "..", "docs", "runbooks.md"));
        var anchors = runbooks.Split('\n').Where(line => line.StartsWith('#')).Select(Anchor).ToHashSet(StringComparer.Ordinal);

        var blocks = rules.Split("- alert: ", StringSplitOptions.None).Skip(1).ToArray();
        Assert.Equal(AlertNames().Count, blocks.Length);
        foreach (var block in blocks)
        {
            var name = block[..block.IndexOf('\n', StringComparison.Ordinal)].Trim();
            Assert.True(block.Contains("summary:", StringComparison.Ordinal) && block.Contains("description:", StringComparison.Ordinal), $"{name} lacks a summary or a description.");
            var runbook = block.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.StartsWith("runbook:", StringComparison.Ordinal));
            Assert.True(runbook is not null, $"{name} has no runbook annotation.");
            var link = runbook!["runbook:".Length..].Trim().Trim('"', '\'');
            Assert.StartsWith("docs/runbooks.md#", link, StringComparison.Ordinal);
            Assert.True(anchors.Contains(link[(link.IndexOf('#', StringComparison.Ordinal) + 1)..]), $"{name} links {link}, which docs/runbooks.md has no heading for.");
        }
    }

    [Fact]
    public async Task The_dashboards_are_provisioned_from_the_folder_the_container_mounts()
    {
        var provider = await File.ReadAllTextAsync(Path.Combine(Deploy, "grafana", "provisioning", "dashboards", "dashboards.yml"));
        var datasource = await File.ReadAllTextAsync(Path.Combine(Deploy, "grafana", "provisioning", "datasources", "prometheus.yml"));

        Assert.Contains("path: /etc/grafana/provisioning/dashboards", provider, StringComparison.Ordinal);
        Assert.Contains("uid: prometheus", datasource, StringComparison.Ordinal);
        Assert.Equal(DashboardUids, Dashboards().Select(d => (string)d.Json["uid"]!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_dashboard_is_formatted_grafana_json_that_only_uses_the_provisioned_data_source()
    {
        foreach (var (file, dashboard) in Dashboards())
        {
            var name = Path.GetFileName(file);
            Assert.True(File.ReadAllText(file) == dashboard.ToJsonString(Formatted) + "\n", $"{name} is not formatted (2-space indented JSON, one trailing newline).");
            Assert.True((int)dashboard["schemaVersion"]! >= 36, $"{name}: schemaVersion {dashboard["schemaVersion"]}");
            Assert.False(string.IsNullOrWhiteSpace((string?)dashboard["title"]), $"{name} has no title.");

            var references = new List<JsonObject>();
            Collect(dashboard, references);
            foreach (var reference in references)
            {
                var builtIn = (string?)reference["type"] == "grafana" && (string?)reference["uid"] == "-- Grafana --";
                Assert.True(builtIn || ((string?)reference["type"] == "prometheus" && (string?)reference["uid"] == "prometheus"), $"{name} refers to data source {reference.ToJsonString()}.");
            }

            var variables = dashboard["templating"]!["list"]!.AsArray().Select(v => (string)v!["name"]!).ToHashSet(StringComparer.Ordinal);
            var panels = dashboard["panels"]!.AsArray().Select(p => p!.AsObject()).ToArray();
            Assert.NotEmpty(panels);
            Assert.Equal(panels.Length, panels.Select(p => (int)p["id"]!).Distinct().Count());
            foreach (var panel in panels)
            {
                var title = (string?)panel["title"];
                var type = (string?)panel["type"];
                Assert.False(string.IsNullOrWhiteSpace(title), $"{name}: a panel has no title.");
                Assert.Null(panel["panels"]);
                var grid = panel["gridPos"]!;
                Assert.True((int)grid["x"]! + (int)grid["w"]! <= 24, $"{name} / {title} is wider than the dashboard.");
                if (type is "row" or "text")
                {
                    continue;
                }

                var targets = panel["targets"]?.AsArray() ?? [];
                Assert.True(targets.Count > 0, $"{name} / {title} has no query.");
                foreach (var target in targets)
                {
                    var expr = (string?)target!["expr"];
                    Assert.False(string.IsNullOrWhiteSpace(expr), $"{name} / {title} has a target without an expression.");
                    Assert.NotNull(target["refId"]);
                    foreach (var used in Variables.Where(v => expr!.Contains("$" + v, StringComparison.Ordinal)))
                    {
                        Assert.True(variables.Contains(used), $"{name} / {title} uses ${used}, which the dashboard does not define.");
                    }
                }
            }
        }
    }

    private static List<string> AlertNames() =>
        [.. File.ReadAllLines(Path.Combine(Deploy, "prometheus", "rules", "alerts.yml"))
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("- alert: ", StringComparison.Ordinal))
            .Select(line => line["- alert: ".Length..].Trim())];

    private static IEnumerable<(string File, JsonObject Json)> Dashboards() =>
        Directory.GetFiles(Path.Combine(Deploy, "grafana", "provisioning", "dashboards"), "*.json")
            .Order(StringComparer.Ordinal)
            .Select(file => (file, JsonNode.Parse(File.ReadAllText(file))!.AsObject()));

    /// <summary>Every <c>datasource</c> object anywhere in the dashboard.</summary>
    private static void Collect(JsonNode? node, List<JsonObject> references)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "datasource")
                    {
                        Assert.True(value is JsonObject, $"A data source is referred to by {value?.ToJsonString() ?? "null"}, not by type and uid.");
                        references.Add(value!.AsObject());
                    }
                    else
                    {
                        Collect(value, references);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, references);
                }

                break;
        }
    }

    /// <summary>A Markdown heading's anchor as GitHub makes it: lowercase, punctuation dropped, spaces to hyphens.</summary>
    private static string Anchor(string heading)
    {
        var text = heading.TrimStart('#').Trim().ToLowerInvariant();
        return string.Concat(text.Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-');
    }

    private static async Task<string> PromtoolAsync(params string[] arguments)
    {
        var result = await CommandRunner.RunAsync("promtool", arguments, CancellationToken.None, workingDirectory: Deploy);
        Assert.True(result.Succeeded, $"promtool {string.Join(' ', arguments)}:\n{result.Output}");
        return result.Output;
    }
}
