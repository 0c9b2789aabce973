using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlOps.Gateway.Routing;
using MlOps.ServiceDefaults.Http;

namespace MlOps.Gateway.Health;

/// <summary>The gateway is ready when every service behind it is: one check per service, calling its <c>/health</c>.</summary>
internal sealed class DownstreamHealthCheck(string service, IHttpClientFactory clients) : IHealthCheck
{
    public const string ClientName = "downstream-health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var url = new Uri($"http://{service}/health");
        try
        {
            using var response = await clients.CreateClient(ClientName).GetAsync(url, cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy($"{url} answered {(int)response.StatusCode}")
                : HealthCheckResult.Unhealthy($"{url} answered {(int)response.StatusCode}");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"{url} did not answer: {exception.Message}");
        }
    }
}

internal static class DownstreamHealthChecks
{
    public static void AddDownstreamHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient(DownstreamHealthCheck.ClientName).WithoutResilience(TimeSpan.FromSeconds(5));
        var checks = builder.Services.AddHealthChecks();
        foreach (var service in PlatformRoutes.Services)
        {
            checks.Add(new HealthCheckRegistration(
                service,
                provider => ActivatorUtilities.CreateInstance<DownstreamHealthCheck>(provider, service),
                failureStatus: HealthStatus.Unhealthy,
                tags: null,
                timeout: TimeSpan.FromSeconds(5)));
        }
    }
}
