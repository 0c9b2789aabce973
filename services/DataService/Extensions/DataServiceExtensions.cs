using MlOps.Artifacts;
using MlOps.Clients;
using MlOps.DataService.Datasets;
using MlOps.DataService.Persistence;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceDefaults.Database;

namespace Microsoft.Extensions.Hosting;

internal static class DataServiceExtensions
{
    /// <summary>Everything the data service registers: its schema, the artifact store, the datasets feature, and the trainer client that guards deletes.</summary>
    public static void AddDataService(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<DataDbContext>(DataDbContext.Schema);
        builder.AddArtifactStore();
        builder.Services.AddOptions<DatasetOptions>()
            .BindConfiguration(DatasetOptions.SectionName)
            .Validate(
                o => o.MaxUploadBytes > 0 && o.MaxGeneratedRows > 0 && o.MaxArchiveEntries > 0 && o.MaxArchiveUncompressedBytes > 0
                    && o.MaxImageBytes > 0 && o.MaxImageSide > 0,
                "Datasets limits must be positive.")
            .ValidateOnStart();
        builder.Services.AddScoped<DatasetVersions>();
        builder.Services.AddHttpClient<RegistryClient>().ConfigureHttpClient(client => client.BaseAddress = new Uri("http://trainer")).AddServiceToken();
    }
}
