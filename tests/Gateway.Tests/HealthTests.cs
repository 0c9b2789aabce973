using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace MlOps.Gateway.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_reports_every_downstream_service_and_fails_when_one_is_down()
    {
        var backends = new Backends();
        await backends.InitializeAsync();
        try
        {
            await CheckAsync(backends);
        }
        finally
        {
            await backends.DisposeAsync();
        }
    }

    [Fact]
    public async Task Health_is_ok_again_on_the_first_probe_after_a_service_comes_back()
    {
        var backends = new Backends();
        await backends.InitializeAsync();
        try
        {
            await using var gateway = GatewayFactory.Create(backends.Addresses);
            using var client = gateway.CreateClient();
            await backends.StopAsync("serving");
            // Probes all through an outage, as an orchestrator's: a circuit breaker on the probe client would open
            // here and keep answering 503 for its break after the service is back.
            for (var i = 0; i < 12; i++)
            {
                using var down = await client.GetAsync("/health");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            }

            await backends.RestartAsync("serving");
            using var back = await client.GetAsync("/health");

            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }
        finally
        {
            await backends.DisposeAsync();
        }
    }

    private static async Task CheckAsync(Backends backends)
    {
        await using var gateway = GatewayFactory.Create(backends.Addresses);
        using var client = gateway.CreateClient();

        using var healthy = await client.GetAsync("/health");
        var healthyBody = await healthy.Content.ReadFromJsonAsync<JsonElement>();
        await backends.StopAsync("monitoring");
        using var degraded = await client.GetAsync("/health");
        var degradedBody = await degraded.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        foreach (var service in new[] { "auth", "data", "trainer", "serving", "monitoring" })
        {
            Assert.Equal("Healthy", healthyBody.GetProperty("checks").GetProperty(service).GetProperty("status").GetString());
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, degraded.StatusCode);
        Assert.Equal("Unhealthy", degradedBody.GetProperty("checks").GetProperty("monitoring").GetProperty("status").GetString());
        Assert.Equal("Healthy", degradedBody.GetProperty("checks").GetProperty("data").GetProperty("status").GetString());
    }
}
