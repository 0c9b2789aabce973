using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.TestSupport;

namespace MlOps.EndToEnd.Tests;

/// <summary>
/// The AppHost as a person runs it (<c>dotnet run --project AppHost</c>, with its launch profile's settings): what
/// the console says, the dashboard, telemetry reaching it, and Ctrl+C.
/// </summary>
public sealed class AppHostProcessTests
{
    [Fact]
    public async Task It_starts_with_a_short_report_the_dashboard_and_telemetry_brings_a_crashed_service_back_and_Ctrl_C_stops_everything()
    {
        using var home = TemporaryDirectory.Create("mlops-e2e-apphost-");
        var platform = new TestPlatform(home.Path);
        var dashboard = LoopbackPorts.FindFree();
        var otlp = LoopbackPorts.FindFree();
        var output = new ConcurrentQueue<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // env --default-signal: a test runner started in the background ignores SIGINT, and its children would inherit that.
        var start = new ProcessStartInfo("env", ["--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "AppHost.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{dashboard}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{otlp}";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{LoopbackPorts.FindFree()}";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        // This test only: the dashboard's telemetry API without its browser token, to read what reached it.
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        start.Environment["MlOps__Home"] = home.Path;
        start.Environment["MlOps__Containers"] = "false";
        foreach (var (name, port) in platform.Ports)
        {
            start.Environment[$"Ports__{name}"] = port.ToString(CultureInfo.InvariantCulture);
        }

        using var appHost = new Process { StartInfo = start };
        appHost.OutputDataReceived += (_, line) => Collect(line.Data);
        appHost.ErrorDataReceived += (_, line) => Collect(line.Data);
        appHost.Start();
        appHost.BeginOutputReadLine();
        appHost.BeginErrorReadLine();
        try
        {
            try
            {
                await ready.Task.WaitAsync(TimeSpan.FromMinutes(3));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"No ready line within 3 minutes; the AppHost printed:\n{string.Join('\n', output)}");
            }

            var printed = string.Join('\n', output);
            var adminPassword = (await File.ReadAllTextAsync(Path.Combine(home.Path, "admin-password"))).Trim();
            Assert.Contains("MlOps platform is ready", printed, StringComparison.Ordinal);
            // (Without this test's anonymous access the line below it is the login link with its token.)
            Assert.Contains($"- Dashboard:  http://127.0.0.1:{dashboard}", printed, StringComparison.Ordinal);
            Assert.Contains($"Gateway:      http://127.0.0.1:{platform.Ports["gateway"]}/", printed, StringComparison.Ordinal);
            Assert.Contains(adminPassword, printed, StringComparison.Ordinal);
            // The services' own logs stay in the dashboard.
            Assert.DoesNotContain("Now listening on: http://127.0.0.1:" + platform.Ports["trainer"], printed, StringComparison.Ordinal);

            using (var client = new HttpClient())
            {
                using var page = await client.GetAsync(new Uri($"http://127.0.0.1:{dashboard}/"));
                Assert.True(page.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized, $"dashboard: {page.StatusCode}");
                using var gateway = await client.GetAsync(new Uri($"http://127.0.0.1:{platform.Ports["gateway"]}/health"));
                Assert.Equal(HttpStatusCode.OK, gateway.StatusCode);
            }

            // Every service's traces, structured logs and metrics reach the dashboard. Probes are not traced, so one
            // request goes through the gateway (which otherwise only answers and sends health probes).
            using (var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{platform.Ports["gateway"]}") })
            {
                using var refused = await client.GetAsync("/api/datasets");
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            using (var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dashboard}") })
            {
                var reporting = await Eventually.ReturnsAsync(
                    async () => (await client.GetFromJsonAsync<JsonElement>("/api/telemetry/resources")).EnumerateArray()
                        .Where(r => r.GetProperty("hasLogs").GetBoolean() && r.GetProperty("hasTraces").GetBoolean() && r.GetProperty("hasMetrics").GetBoolean())
                        .Select(r => r.GetProperty("name").GetString()!)
                        .Order(StringComparer.Ordinal)
                        .ToList(),
                    names => TestPlatform.Services.All(names.Contains),
                    TimeSpan.FromSeconds(60),
                    "every service's logs, traces and metrics in the dashboard");
                Assert.Subset(reporting.ToHashSet(), TestPlatform.Services.ToHashSet());
            }

            foreach (var service in TestPlatform.Services)
            {
                using var process = ServiceProcesses.Serving(platform.Ports[service]);
                Assert.Contains($"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:{otlp}", ServiceProcesses.EnvironmentOf(process.Id));
            }

            // A service that crashes is named with its last lines and brought back; the others keep serving meanwhile.
            int crashedId;
            using (var trainer = ServiceProcesses.Serving(platform.Ports["trainer"]))
            {
                crashedId = trainer.Id;
                trainer.Kill();
                await trainer.WaitForExitAsync();
            }

            using (var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{platform.Ports["gateway"]}") })
            {
                // 503 overall while the trainer is down; the body still names each service's state.
                using var health = await client.GetAsync("/health");
                var checks = (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks");
                Assert.Equal("Healthy", checks.GetProperty("data").GetProperty("status").GetString());
                Assert.Equal("Healthy", checks.GetProperty("auth").GetProperty("status").GetString());
                using var datasets = await client.GetAsync("/api/datasets");
                Assert.Equal(HttpStatusCode.Unauthorized, datasets.StatusCode);
            }

            await Eventually.ReturnsAsync(
                () => Task.FromResult(string.Join('\n', output)),
                text => text.Contains("restarting trainer (attempt 1 of 3)", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30),
                "the AppHost reporting the trainer's crash");
            printed = string.Join('\n', output);
            Assert.Contains("trainer exited with code 137. Its last lines:", printed, StringComparison.Ordinal);
            Assert.Contains("  | ", printed, StringComparison.Ordinal);
            using (var trainer = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{platform.Ports["trainer"]}"), Timeout = TimeSpan.FromSeconds(5) })
            {
                await Eventually.HoldsAsync(
                    async () =>
                    {
                        try
                        {
                            using var health = await trainer.GetAsync("/health");
                            return health.StatusCode == HttpStatusCode.OK;
                        }
                        catch (HttpRequestException)
                        {
                            return false;
                        }
                    },
                    "the trainer answering /health again on its port",
                    TimeSpan.FromMinutes(2));
            }

            using (var restarted = ServiceProcesses.Serving(platform.Ports["trainer"]))
            {
                Assert.NotEqual(crashedId, restarted.Id);
            }

            Assert.True(UnixProcess.Interrupt(appHost.Id));
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await appHost.WaitForExitAsync(deadline.Token);

            Assert.Equal(0, appHost.ExitCode);
            await platform.AssertStoppedCleanlyAsync();
        }
        finally
        {
            // A failed check must not leave a platform running: the next runs would share the machine with it.
            if (!appHost.HasExited)
            {
                UnixProcess.Interrupt(appHost.Id);
                if (!appHost.WaitForExit(TimeSpan.FromMinutes(1)))
                {
                    appHost.Kill(entireProcessTree: true);
                }
            }
        }

        void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }

            output.Enqueue(line);
            // The report's last line: everything it says has arrived.
            if (line.Contains("Press Ctrl+C to stop everything.", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }
    }

    [Fact]
    public async Task A_taken_port_stops_the_start_with_one_sentence_and_nothing_is_left_running()
    {
        using var home = TemporaryDirectory.Create("mlops-e2e-taken-");
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var taken = ((IPEndPoint)listener.LocalEndpoint).Port;
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "AppHost.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MlOps__Home"] = home.Path;
        start.Environment["MlOps__Containers"] = "false";
        start.Environment["Ports__gateway"] = taken.ToString(CultureInfo.InvariantCulture);

        using var appHost = Process.Start(start)!;
        var errors = appHost.StandardError.ReadToEndAsync();
        var printed = appHost.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await appHost.WaitForExitAsync(deadline.Token);

        Assert.Equal(1, appHost.ExitCode);
        Assert.Equal(
            $"The platform cannot start: These ports on 127.0.0.1 are in use: {taken} (gateway). Is the platform already running? Stop it, or move ours (e.g. Ports__gateway=18000).",
            (await errors).Trim());
        Assert.DoesNotContain("   at ", await printed, StringComparison.Ordinal);
        Assert.Empty(ServiceProcesses.Using(home.Path));
    }
}
