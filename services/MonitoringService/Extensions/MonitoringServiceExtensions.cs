using MlOps.MonitoringService.Drift;
using MlOps.MonitoringService.Persistence;
using MlOps.MonitoringService.Upstream;
using MlOps.ServiceDefaults.Auth;
using MlOps.ServiceDefaults.Database;
using MlOps.ServiceDefaults.Http;

namespace Microsoft.Extensions.Hosting;

internal static class MonitoringServiceExtensions
{
    /// <summary>
    /// Everything the monitoring service registers: its schema in the platform database, and the clients of the
    /// trainer's registry and of serving's inference log, which it calls with its service token; the drift gauges.
    /// </summary>
    public static void AddMonitoringService(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<MonitoringDbContext>(MonitoringDbContext.Schema);
        builder.Services.AddHttpClient<RegistryClient>().ForService("trainer").AddServiceToken();
        builder.Services.AddHttpClient<InferenceLogClient>().ForService("serving").AddServiceToken();
        builder.Services.AddSingleton<DriftMetrics>();
    }
}
