using System.Diagnostics;
using MlOps.TestSupport;
using Npgsql;

namespace MlOps.EndToEnd.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Stopping_leaves_no_process_behind_and_a_second_start_finds_its_data()
    {
        using var home = TemporaryDirectory.Create("mlops-e2e-life-");
        var first = new LocalPlatform(home.Path);
        await using (first)
        {
            await first.StartAsync(TimeSpan.FromMinutes(3));
            await using (var connection = new NpgsqlConnection(first.ConnectionString))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(
                    "CREATE TABLE public.e2e_marker (note text); INSERT INTO public.e2e_marker VALUES ('kept')", connection);
                await command.ExecuteNonQueryAsync();
            }

            var adminPassword = await File.ReadAllTextAsync(Path.Combine(home.Path, "admin-password"));

            var exitCode = await first.StopAsync(TimeSpan.FromMinutes(1));

            Assert.Equal(0, exitCode);
            foreach (var (name, port) in first.Ports.Where(p => p.Key != "prometheus" || PrometheusInstalled()))
            {
                Assert.True(LoopbackPorts.IsFree(port), $"{name} still listens on {port} after the platform stopped");
            }

            Assert.Empty(ProcessesUsing(home.Path));

            // The same data folder, new ports: PostgreSQL's data and the admin password must both be found again.
            var second = new LocalPlatform(home.Path);
            await using (second)
            {
                await second.StartAsync(TimeSpan.FromMinutes(3));
                await using var connection = new NpgsqlConnection(second.ConnectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT note FROM public.e2e_marker", connection);
                Assert.Equal("kept", await command.ExecuteScalarAsync());
                Assert.Equal(adminPassword, await File.ReadAllTextAsync(Path.Combine(home.Path, "admin-password")));
                Assert.Contains(adminPassword.Trim(), first.Output, StringComparison.Ordinal);
                Assert.DoesNotContain(adminPassword.Trim(), second.Output, StringComparison.Ordinal);
                Assert.Equal(0, await second.StopAsync(TimeSpan.FromMinutes(1)));
            }
        }
    }

    [Fact]
    public async Task A_service_that_dies_is_named_with_its_last_log_lines_and_the_rest_is_stopped()
    {
        using var home = TemporaryDirectory.Create("mlops-e2e-crash-");
        await using var platform = new LocalPlatform(home.Path);
        await platform.StartAsync(TimeSpan.FromMinutes(3));
        var trainer = FindServiceProcess(platform.Ports["trainer"]);

        trainer.Kill();
        var exitCode = await platform.WaitForExitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(1, exitCode);
        Assert.Contains("MlOps platform failed: trainer exited with code", platform.Output, StringComparison.Ordinal);
        Assert.Contains("Last lines of trainer", platform.Output, StringComparison.Ordinal);
        Assert.Contains("Stopped.", platform.Output, StringComparison.Ordinal);
        foreach (var (name, port) in platform.Ports.Where(p => p.Key != "prometheus" || PrometheusInstalled()))
        {
            Assert.True(LoopbackPorts.IsFree(port), $"{name} still listens on {port} after the platform stopped");
        }

        Assert.Empty(ProcessesUsing(home.Path));
    }

    /// <summary>The service process the launcher started on this port (its environment names the URL it binds).</summary>
    private static Process FindServiceProcess(int port)
    {
        var binding = $"ASPNETCORE_URLS=http://127.0.0.1:{port}";
        foreach (var process in Process.GetProcesses())
        {
            try
            {
                if (File.ReadAllText($"/proc/{process.Id}/environ").Split('\0').Contains(binding))
                {
                    return process;
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Ended while we looked, or not ours to read.
            }

            process.Dispose();
        }

        throw new InvalidOperationException($"No process binds port {port}");
    }

    private static bool PrometheusInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Any(folder => File.Exists(Path.Combine(folder, "prometheus")));

    /// <summary>Processes whose command line names the data folder: PostgreSQL and Prometheus run from it.</summary>
    private static List<string> ProcessesUsing(string folder)
    {
        var found = new List<string>();
        foreach (var process in Process.GetProcesses())
        {
            using (process)
            {
                try
                {
                    var commandLine = File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
                    if (commandLine.Contains(folder, StringComparison.Ordinal))
                    {
                        found.Add($"{process.Id}: {commandLine}");
                    }
                }
                catch (IOException)
                {
                    // The process ended while we looked.
                }
                catch (UnauthorizedAccessException)
                {
                    // Not ours to read.
                }
            }
        }

        return found;
    }
}
