using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace MlOps.ServiceDefaults.Http;

/// <summary>
/// The standard pipeline for calls between services (what Microsoft.Extensions.Http.Resilience would give):
/// a total timeout, retries with exponential backoff and jitter for idempotent methods only, a circuit breaker per
/// destination (shared by every client that calls it), and a timeout per attempt.
/// </summary>
internal sealed class ResilienceHandler(ResiliencePipelineRegistry<string> registry, HttpResilienceOptions options)
    : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("MlOps.Request");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var pipeline = registry.GetOrAddPipeline<HttpResponseMessage>(
            request.RequestUri?.Authority ?? string.Empty,
            (builder, _) => builder.AddPipeline(Build(options)));
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        try
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    var (handler, message) = state;
                    try
                    {
                        return Outcome.FromResult(await handler.SendCoreAsync(message, ctx.CancellationToken));
                    }
                    catch (Exception exception)
                    {
                        return Outcome.FromException<HttpResponseMessage>(exception);
                    }
                },
                context,
                (this, request));
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    internal static ResiliencePipeline<HttpResponseMessage> Build(HttpResilienceOptions options)
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(IsTransient)
            .Build();

        return new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(options.TotalTimeout)
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args =>
                    ValueTask.FromResult(
                        options.MaxRetries > 0
                        && IsIdempotent(args.Context.Properties.GetValue(RequestKey, null!))
                        && transient(args.Outcome)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(transient(args.Outcome)),
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    internal static bool IsIdempotent(HttpRequestMessage? request) =>
        request is not null
        && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
            || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete);

    private static bool IsTransient(HttpResponseMessage response) =>
        (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
}

public static class ResilienceExtensions
{
    public static IHttpClientBuilder AddStandardResilience(this IHttpClientBuilder http)
    {
        http.Services.AddOptions<HttpResilienceOptions>().BindConfiguration(HttpResilienceOptions.SectionName);
        http.Services.TryAddSingleton<ResiliencePipelineRegistry<string>>();
        return http.AddHttpMessageHandler(services => new ResilienceHandler(
            services.GetRequiredService<ResiliencePipelineRegistry<string>>(),
            services.GetRequiredService<IOptions<HttpResilienceOptions>>().Value));
    }
}
