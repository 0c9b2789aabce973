// The platform's app model: PostgreSQL, the five services and the gateway on the platform table's ports, Prometheus,
// Grafana and MLflow, with the Aspire dashboard showing every service's traces, logs and metrics.
using Microsoft.Extensions.DependencyInjection;
using MlOps.AppHost;
using MlOps.AppHost.Startup;
using MlOps.AppHost.Hosting;
using MlOps.AppHost.Postgres;
using MlOps.AppHost.Prometheus;
using MlOps.AppHost.Secrets;
using MlOps.AppHost.Services;

var builder = DistributedApplication.CreateBuilder(args);
try
{
    var platform = PlatformOptions.From(builder.Configuration, builder.AppHostDirectory, builder.ExecutionContext.IsPublishMode);
    var notices = new List<string>();
    List<string> watched = [Platform.Postgres, .. Platform.Services];
    if (!builder.ExecutionContext.IsPublishMode)
    {
        platform.PrepareHome();
        platform.EnsurePortsFree(platform.UseContainers ? Platform.Services : [.. Platform.Services, Platform.Postgres, Platform.Prometheus]);
    }

    var database = builder.AddPlatformDatabase(platform);
    var adminPassword = PlatformSecret.Add(builder, "admin-password", platform);
    var servicesClientSecret = PlatformSecret.Add(builder, "services-client-secret", platform);
    var mlflow = builder.AddPlatformMlflow(platform, notices);

    var auth = builder.AddPlatformService<Projects.AuthService>(Platform.Auth, platform)
        .WithPlatformWiring(database, servicesClientSecret.Parameter, platform)
        .WithEnvironment("MLOPS_ADMIN_PASSWORD", adminPassword.Parameter);
    // Tokens name the token service's own address as their issuer; every service, the token service included, takes
    // that address as the authority whose discovery document names the signing keys and whose /connect/token it calls.
    var authority = auth.GetEndpoint("http");
    auth.WithEnvironment("TokenService__Issuer", authority);
    var data = builder.AddPlatformService<Projects.DataService>(Platform.Data, platform)
        .WithPlatformWiring(database, servicesClientSecret.Parameter, platform);
    var trainer = builder.AddPlatformService<Projects.TrainerService>(Platform.Trainer, platform)
        .WithPlatformWiring(database, servicesClientSecret.Parameter, platform)
        // LightGBM's OpenMP threads spin while they wait unless told not to: three times slower on 2 cores (docs/training.md).
        .WithEnvironment("OMP_WAIT_POLICY", "PASSIVE");
    if (!builder.ExecutionContext.IsPublishMode)
    {
        // Pictures encoded for training are kept for the next job on them; serving encodes each request's afresh, so a
        // stream of new pictures never fills a disk.
        trainer.WithEnvironment("Images__CacheDirectory", platform.Embeddings);
    }

    var serving = builder.AddPlatformService<Projects.ServingService>(Platform.Serving, platform)
        .WithPlatformWiring(database, servicesClientSecret.Parameter, platform);
    var monitoring = builder.AddPlatformService<Projects.MonitoringService>(Platform.Monitoring, platform)
        .WithPlatformWiring(database, servicesClientSecret.Parameter, platform);
    if (mlflow is not null)
    {
        trainer.WithEnvironment("MLflow__TrackingUri", mlflow.GetEndpoint("http"));
    }

    if (!builder.ExecutionContext.IsPublishMode)
    {
        // Inference-log records wait here while the database is away; they must outlive a restart.
        serving.WithEnvironment("InferenceLog__SpillDirectory", platform.InferenceSpill);
    }

    // Every service knows every other by its service-discovery name (services__<name>__http__0), and starts once the
    // token service is ready: before its bootstrap has created the platform client, a service's first calls would
    // fail with invalid_client.
    IResourceBuilder<ProjectResource>[] services = [auth, data, trainer, serving, monitoring];
    foreach (var service in services)
    {
        if (service != auth)
        {
            service.WaitFor(auth);
        }

        service.WithEnvironment("Auth__Authority", authority);
        foreach (var other in services.Where(other => other != service))
        {
            service.WithReference(other);
        }
    }

    var gateway = builder.AddPlatformService<Projects.Gateway>(Platform.Gateway, platform)
        .WithExternalHttpEndpoints()
        .WaitFor(auth)
        .WithEnvironment("Auth__Authority", authority);
    foreach (var service in services)
    {
        gateway.WithReference(service);
    }

    // People's browsers reach the platform at the gateway: the device flow sends them to its verification page there.
    auth.WithEnvironment("TokenService__PublicOrigin", gateway.GetEndpoint("http"));

    builder.AddPlatformPrometheus(platform, notices, watched);
    builder.AddPlatformGrafana(platform, notices);

    builder.Services.AddSingleton(new StartupFacts(
        new Uri($"http://127.0.0.1:{platform.PortOf(Platform.Gateway)}"),
        platform.Home,
        adminPassword.GeneratedNow ? adminPassword.Value : null,
        notices,
        watched));
    builder.Services.AddHostedService<StartupReport>();

    builder.Build().Run();
    return 0;
}
catch (PlatformStartException failure)
{
    Console.Error.WriteLine($"The platform cannot start: {failure.Message}");
    return 1;
}
