using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.TestSupport;
using Npgsql;

namespace MlOps.EndToEnd.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Stopping_leaves_no_process_behind_and_a_second_start_finds_its_data_and_users()
    {
        using var home = TemporaryDirectory.Create("mlops-e2e-life-");
        var first = new TestPlatform(home.Path);
        await using (first)
        {
            await first.StartAsync(TimeSpan.FromMinutes(3));
            await using (var connection = new NpgsqlConnection(await first.ConnectionStringAsync()))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(
                    "CREATE TABLE public.e2e_marker (note text); INSERT INTO public.e2e_marker VALUES ('kept')", connection);
                await command.ExecuteNonQueryAsync();
            }

            var adminPassword = (await File.ReadAllTextAsync(Path.Combine(home.Path, "admin-password"))).Trim();

            await first.StopAsync();

            await first.AssertStoppedCleanlyAsync();

            // The same data folder, new ports: PostgreSQL's data, the admin and the password must all be found again.
            var second = new TestPlatform(home.Path);
            await using (second)
            {
                await second.StartAsync(TimeSpan.FromMinutes(3));
                await using var connection = new NpgsqlConnection(await second.ConnectionStringAsync());
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT note FROM public.e2e_marker", connection);
                Assert.Equal("kept", await command.ExecuteScalarAsync());
                Assert.Equal(adminPassword, (await File.ReadAllTextAsync(Path.Combine(home.Path, "admin-password"))).Trim());
                using var client = new HttpClient { BaseAddress = second.UrlOf("gateway") };
                using var token = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "password", ["username"] = "admin", ["password"] = adminPassword,
                }));
                Assert.Equal(HttpStatusCode.OK, token.StatusCode);
                await second.StopAsync();
            }

            await second.AssertStoppedCleanlyAsync();
        }
    }

    [Fact]
    public async Task A_service_that_crashes_is_restarted_while_the_others_keep_serving()
    {
        using var home = TemporaryDirectory.Create("mlops-e2e-crash-");
        await using var platform = new TestPlatform(home.Path);
        await platform.StartAsync(TimeSpan.FromMinutes(3));
        using var client = new HttpClient { BaseAddress = platform.UrlOf("gateway") };
        using var trainer = ServiceProcesses.Serving(platform.Ports["trainer"]);
        var crashedId = trainer.Id;

        trainer.Kill();
        await trainer.WaitForExitAsync();

        // The rest of the platform answers while the trainer is down.
        using (var health = await client.GetAsync("/health"))
        {
            var checks = (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks");
            Assert.Equal("Healthy", checks.GetProperty("data").GetProperty("status").GetString());
            Assert.Equal("Healthy", checks.GetProperty("auth").GetProperty("status").GetString());
        }

        using var datasets = await client.GetAsync("/api/datasets");
        Assert.Equal(HttpStatusCode.Unauthorized, datasets.StatusCode);

        // The AppHost brings it back on the same port.
        using var direct = new HttpClient { BaseAddress = platform.UrlOf("trainer"), Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.ReturnsAsync(
            async () =>
            {
                try
                {
                    using var response = await direct.GetAsync("/health");
                    return response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    return HttpStatusCode.ServiceUnavailable;
                }
            },
            status => status == HttpStatusCode.OK,
            TimeSpan.FromMinutes(2),
            "the trainer answering /health again");
        using var restarted = ServiceProcesses.Serving(platform.Ports["trainer"]);
        Assert.NotEqual(crashedId, restarted.Id);
    }
}
