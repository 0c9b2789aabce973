using Microsoft.Extensions.Options;
using MlOps.Artifacts;
using MlOps.Mlflow;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceDefaults.Database;
using MlOps.ServiceDefaults.Http;
using MlOps.Learning.MlNet;
using MlOps.Learning.Algorithms;
using MlOps.Clients;
using MlOps.Images.Embedding;
using MlOps.TrainerService.Jobs;
using MlOps.TrainerService.Mlflow;
using MlOps.TrainerService.Persistence;
using MlOps.TrainerService.Registry;

namespace Microsoft.Extensions.Hosting;

internal static class TrainerServiceExtensions
{
    /// <summary>
    /// Everything the trainer service registers: its schema, the artifact store, the data service client, the
    /// algorithms, the job queue and its workers, the registry with its change signal, and (with
    /// <c>MLflow__TrackingUri</c>) the MLflow mirror.
    /// </summary>
    public static void AddTrainerService(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<TrainerDbContext>(TrainerDbContext.Schema);
        builder.AddArtifactStore();
        // Dataset versions are downloaded whole before training: a call may take minutes.
        builder.Services.AddHttpClient<DatasetsClient>()
            .ConfigureHttpClient(client => client.BaseAddress = new Uri("http://data"))
            .WithLongCalls(TimeSpan.FromMinutes(2))
            .AddServiceToken();

        builder.Services.AddSingleton(MlNetLearners.Platform);
        builder.AddImageEmbedder();

        builder.Services.AddOptions<TrainingOptions>()
            .BindConfiguration(TrainingOptions.SectionName)
            .Validate(o => o.IsValid(out _), "Training settings are out of range (see TrainingOptions).")
            .ValidateOnStart();
        builder.Services.AddSingleton<TrainingMetrics>();
        builder.Services.AddSingleton<JobLeases>();
        builder.Services.AddScoped<JobSubmissions>();
        builder.Services.AddScoped<JobExecution>();
        builder.Services.AddHostedService<TrainingWorkers>();

        builder.Services.AddSingleton<ModelChangeSignal>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ModelChangeSignal>());
        builder.Services.AddScoped<ModelRegistry>();
        builder.Services.AddSingleton<OnnxExports>();
        builder.Services.AddOptions<ModelUploadOptions>()
            .BindConfiguration(ModelUploadOptions.SectionName)
            .Validate(o => o.MaxModelBytes > 0 && o.MaxDescriptorBytes > 0, "ModelUploads limits must be positive.")
            .ValidateOnStart();
        builder.Services.AddScoped<ExternalModelRegistration>();
        builder.AddMlflowMirror();
    }

    /// <summary>
    /// The outbox is always there to write to (it writes nothing without a tracking server); the client, the mirror
    /// that sends the outbox, its metrics and its health check only with one.
    /// </summary>
    private static void AddMlflowMirror(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MlflowOptions>().BindConfiguration(MlflowOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MlflowOptions>, MlflowOptionsValidator>();
        builder.Services.AddScoped<MlflowOutbox>();
        var settings = builder.Configuration.GetSection(MlflowOptions.SectionName).Get<MlflowOptions>();
        if (settings?.TrackingUri is not { } trackingUri)
        {
            return;
        }

        builder.Services.AddSingleton<MlflowMetrics>();
        builder.Services.AddTransient<MlflowRequestCounter>();
        builder.Services.AddHttpClient<MlflowClient>(client => client.BaseAddress = new Uri(trackingUri.ToString().TrimEnd('/') + "/"))
            .WithLongCalls(TimeSpan.FromMinutes(2))
            .AddHttpMessageHandler<MlflowRequestCounter>();
        builder.Services.AddHostedService<MlflowMirror>();
        builder.Services.AddScoped<MlflowImporter>();
        builder.Services.AddHostedService<MlflowAliasFollower>();
        builder.Services.AddHealthChecks().AddCheck<MlflowHealthCheck>("mlflow");
    }
}
