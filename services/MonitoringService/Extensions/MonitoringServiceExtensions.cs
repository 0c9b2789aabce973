using MlOps.MonitoringService.Persistence;
using MlOps.ServiceDefaults.Database;

namespace Microsoft.Extensions.Hosting;

internal static class MonitoringServiceExtensions
{
    /// <summary>Everything the monitoring service registers: its schema in the platform database, then its features.</summary>
    public static void AddMonitoringService(this IHostApplicationBuilder builder) =>
        builder.AddServiceDatabase<MonitoringDbContext>(MonitoringDbContext.Schema);
}
