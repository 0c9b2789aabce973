using MlOps.TrainerService.Persistence;
using MlOps.ServiceDefaults.Database;

namespace Microsoft.Extensions.Hosting;

internal static class TrainerServiceExtensions
{
    /// <summary>Everything the trainer service registers: its schema in the platform database, then its features.</summary>
    public static void AddTrainerService(this IHostApplicationBuilder builder) =>
        builder.AddServiceDatabase<TrainerDbContext>(TrainerDbContext.Schema);
}
