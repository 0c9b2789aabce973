namespace MlOps.AppHost.Local;

/// <summary>
/// The environment each service is started with. The names are Aspire's, so a service reads the same
/// configuration in both run modes and never knows which one it is in.
/// </summary>
internal static class ServiceEnvironment
{
    public static Dictionary<string, string> For(
        PlatformService service,
        LauncherOptions options,
        string connectionString,
        DataFolder folder,
        LocalSecret adminPassword,
        LocalSecret servicesClientSecret)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = options.UrlOf(service.Name).ToString().TrimEnd('/'),
            ["ASPNETCORE_ENVIRONMENT"] = options.EnvironmentName,
            ["DOTNET_ENVIRONMENT"] = options.EnvironmentName,
            [$"ConnectionStrings__{Platform.Database}"] = connectionString,
            ["Auth__Authority"] = options.UrlOf(Platform.Auth).ToString().TrimEnd('/'),
            ["Artifacts__Store"] = "FileSystem",
            ["Artifacts__Root"] = folder.Artifacts,
            ["OTEL_SERVICE_NAME"] = service.Name,

            // Six .NET processes share this machine's cores: a thread-pool worker that spins while it waits for work
            // takes the core another process needs (measured: the gateway's p99 at 1,000 predictions a second fell
            // from 20 ms to 5 ms without spinning).
            ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",

            // For the same reason, workstation GC: server GC gives each process a heap and a GC thread per core, sized
            // for a machine of its own (measured: 10% more predictions a second through the gateway without it).
            ["DOTNET_gcServer"] = "0",

            // The platform's own client: the auth service creates it with this secret, every service uses it for its
            // service-to-service token.
            ["Auth__Client__ClientId"] = Platform.ServicesClientId,
            ["Auth__Client__ClientSecret"] = servicesClientSecret.Value,
        };

        foreach (var other in Platform.Services)
        {
            environment[$"services__{other.Name}__http__0"] = options.UrlOf(other.Name).ToString().TrimEnd('/');
        }

        if (options.OtlpEndpoint is not null)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = options.OtlpEndpoint;
        }

        if (service.Name == "serving")
        {
            // Inference-log records wait here while the database is away; they must outlive a restart.
            environment["InferenceLog__SpillDirectory"] = Path.Combine(folder.Root, "inference-spill");
        }

        if (service.Name == Platform.Auth)
        {
            environment["MLOPS_ADMIN_PASSWORD"] = adminPassword.Value;
        }

        return environment;
    }
}
