using MlOps.DataService.Persistence;
using MlOps.ServiceDefaults.Database;

namespace Microsoft.Extensions.Hosting;

internal static class DataServiceExtensions
{
    /// <summary>Everything the data service registers: its schema in the platform database, then its features.</summary>
    public static void AddDataService(this IHostApplicationBuilder builder) =>
        builder.AddServiceDatabase<DataDbContext>(DataDbContext.Schema);
}
