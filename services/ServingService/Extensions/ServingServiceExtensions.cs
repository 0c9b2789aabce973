using MlOps.ServingService.Persistence;
using MlOps.ServiceDefaults.Database;

namespace Microsoft.Extensions.Hosting;

internal static class ServingServiceExtensions
{
    /// <summary>Everything the serving service registers: its schema in the platform database, then its features.</summary>
    public static void AddServingService(this IHostApplicationBuilder builder) =>
        builder.AddServiceDatabase<ServingDbContext>(ServingDbContext.Schema);
}
