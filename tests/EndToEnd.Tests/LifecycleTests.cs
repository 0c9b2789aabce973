using System.Net;
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
}
