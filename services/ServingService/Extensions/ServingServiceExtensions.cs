using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceDefaults.Database;
using MlOps.ServiceDefaults.Http;
using MlOps.ServiceConventions.RateLimiting;
using MlOps.ServingService.InferenceLog;
using MlOps.ServingService.Models;
using MlOps.ServingService.Persistence;
using MlOps.ServingService.Predictions;
using MlOps.Images.Embedding;

namespace Microsoft.Extensions.Hosting;

internal static class ServingServiceExtensions
{
    /// <summary>
    /// Everything the serving service registers: its schema, the model catalog and its registry watcher, predictions
    /// with their rate limit and source-generated JSON, and the inference log with its writer and spill files.
    /// </summary>
    public static void AddServingService(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<ServingDbContext>(ServingDbContext.Schema);
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ServingJson.Default);
            json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });

        builder.Services.AddOptions<ServingOptions>()
            .BindConfiguration(ServingOptions.SectionName)
            .Validate(o => o.IsValid(), "Serving settings are out of range (see ServingOptions).")
            .ValidateOnStart();
        // The registry's change feed is a long poll (Serving:ChangeWait, at most 60 s) and model files can be large.
        builder.Services.AddHttpClient(ModelCatalog.RegistryClientName)
            .ConfigureHttpClient(client => client.BaseAddress = new Uri("http://trainer"))
            .WithLongCalls(TimeSpan.FromSeconds(90))
            .AddServiceToken();
        builder.AddImageEmbedder();
        builder.Services.AddSingleton<ModelMetrics>();
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddHostedService<RegistryWatcher>();
        builder.Services.AddHealthChecks().AddCheck<ModelLoadHealthCheck>("models");

        builder.Services.AddSingleton<PredictionMetrics>();
        builder.Services.AddSingleton<PredictionIds>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<ServingOptions>>((limiter, serving) =>
            {
                limiter.OnRejected = TooManyRequests.RejectAsync;
                limiter.AddPolicy(PredictEndpoints.RateLimitPolicy, context => PerCallerAndModel(context, serving.Value));
            });

        builder.Services.AddOptions<InferenceLogOptions>()
            .BindConfiguration(InferenceLogOptions.SectionName)
            .Validate(o => o.IsValid(), "InferenceLog settings are out of range (see InferenceLogOptions).")
            .ValidateOnStart();
        builder.Services.AddSingleton<InferenceLogBuffer>();
        builder.Services.AddSingleton<InferenceLogMetrics>();
        builder.Services.AddSingleton<InferenceLogTable>();
        builder.Services.AddSingleton<SpillFiles>();
        builder.Services.AddHostedService<InferenceLogWriter>();
    }

    /// <summary>One token bucket per caller (the token's subject) and model.</summary>
    private static RateLimitPartition<string> PerCallerAndModel(HttpContext context, ServingOptions serving)
    {
        var caller = context.User.FindFirst("sub")?.Value ?? context.User.CallerName();
        var model = context.Request.RouteValues["model"] as string ?? string.Empty;
        return RateLimitPartition.GetTokenBucketLimiter($"{caller}\n{model}", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = serving.Burst,
            TokensPerPeriod = serving.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
