using MlOps.Clients;
using MlOps.MonitoringService.Checks;
using MlOps.MonitoringService.Drift;
using MlOps.MonitoringService.Feedback;
using MlOps.MonitoringService.Performance;
using MlOps.MonitoringService.Persistence;
using MlOps.MonitoringService.Policies;
using MlOps.MonitoringService.Retraining;
using MlOps.MonitoringService.Upstream;
using MlOps.MonitoringService.Webhooks;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceDefaults.Database;
using MlOps.ServiceDefaults.Http;

namespace Microsoft.Extensions.Hosting;

internal static class MonitoringServiceExtensions
{
    /// <summary>
    /// Everything the monitoring service registers: its schema in the platform database; the clients of the trainer
    /// (registry and jobs) and of serving's inference log, which it calls with its service token; feedback, the drift
    /// and performance checks with their gauges, what follows a check (state, webhook, retraining) and the scheduler.
    /// </summary>
    public static void AddMonitoringService(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<MonitoringDbContext>(MonitoringDbContext.Schema);
        builder.Services.AddHttpClient<RegistryClient>().ConfigureHttpClient(client => client.BaseAddress = new Uri("http://trainer")).AddServiceToken();
        builder.Services.AddHttpClient<TrainingJobsClient>().ConfigureHttpClient(client => client.BaseAddress = new Uri("http://trainer")).AddServiceToken();
        // A check reads up to a window's whole inference log.
        builder.Services.AddHttpClient<InferenceLogClient>()
            .ConfigureHttpClient(client => client.BaseAddress = new Uri("http://serving"))
            .WithLongCalls(TimeSpan.FromMinutes(2))
            .AddServiceToken();
        builder.Services.AddSingleton<ModelVersionCache>();
        builder.Services.AddScoped<PolicyStore>();

        builder.Services.AddSingleton<FeedbackMetrics>();
        builder.Services.AddScoped<FeedbackIntake>();

        builder.Services.AddSingleton<DriftMetrics>();
        builder.Services.AddScoped<DriftCheck>();
        builder.Services.AddSingleton<PerformanceMetrics>();
        builder.Services.AddScoped<PerformanceCheck>();

        builder.Services.AddSingleton<RetrainMetrics>();
        builder.Services.AddScoped<Retrainer>();
        builder.Services.AddHttpClient(WebhookNotices.HttpClientName);
        builder.Services.AddSingleton<WebhookNotices>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WebhookNotices>());
        builder.Services.AddScoped<CheckOutcomes>();
        builder.Services.AddOptions<MonitoringOptions>().BindConfiguration(MonitoringOptions.SectionName);
        builder.Services.AddHostedService<CheckScheduler>();
    }
}
