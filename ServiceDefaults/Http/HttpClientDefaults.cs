using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;

namespace MlOps.ServiceDefaults.Http;

/// <summary>
/// How every service's HttpClients call out: by service name through service discovery, behind the standard
/// resilience handler of <c>Microsoft.Extensions.Http.Resilience</c> (total timeout, retries with backoff and jitter
/// for safe methods only, a circuit breaker per destination, a timeout per attempt), configured under
/// <c>Http:Resilience</c> with that handler's option names (<c>Retry:MaxRetryAttempts</c>,
/// <c>CircuitBreaker:BreakDuration</c>, <c>AttemptTimeout:Timeout</c>, …).
/// </summary>
public static class HttpClientDefaults
{
    public const string ResilienceSection = "Http:Resilience";

    /// <summary>
    /// The first retry's delay (then doubling, with jitter). The handler's own default, 2 s, suits calls across a
    /// network; between services on one host a refused connection is better tried again sooner.
    /// </summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    public static void AddHttpClientDefaults(this IHostApplicationBuilder builder)
    {
        // Other services are addressed by name (http://trainer); the AppHost hands every service their addresses as
        // services__<name>__http__0, which service discovery reads.
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler().Configure(ConfigureStandard).SelectPipelineByAuthority();
            http.AddServiceDiscovery();
        });
    }

    /// <summary>
    /// For a client whose calls are long on purpose (a long poll, a large download): the standard pipeline as
    /// configured, with <paramref name="attemptTimeout"/> for each attempt and room for the retries around it.
    /// </summary>
    public static IHttpClientBuilder WithLongCalls(this IHttpClientBuilder http, TimeSpan attemptTimeout)
    {
        RemoveDefaultResilience(http);
        http.AddStandardResilienceHandler()
            .Configure((options, services) =>
            {
                ConfigureStandard(options, services);
                options.AttemptTimeout.Timeout = attemptTimeout;
                options.TotalRequestTimeout.Timeout = attemptTimeout * 3;
                // The handler requires the breaker to sample at least two attempts' worth of time.
                options.CircuitBreaker.SamplingDuration = attemptTimeout * 2;
            })
            .SelectPipelineByAuthority();
        return http;
    }

    /// <summary>
    /// For health probes of other services: one attempt with a short timeout and no circuit breaker, so a probe
    /// reports the destination as it is now, not a breaker still open from an outage that has ended.
    /// </summary>
    public static IHttpClientBuilder WithoutResilience(this IHttpClientBuilder http, TimeSpan timeout)
    {
        RemoveDefaultResilience(http);
        return http.ConfigureHttpClient(client => client.Timeout = timeout);
    }

    /// <summary>Our retry delay, then what <c>Http:Resilience</c> sets; never a retry of a POST, PUT, PATCH or DELETE.</summary>
    private static void ConfigureStandard(HttpStandardResilienceOptions options, IServiceProvider services)
    {
        options.Retry.Delay = RetryDelay;
        services.GetRequiredService<IConfiguration>().GetSection(ResilienceSection).Bind(options);
        options.Retry.DisableForUnsafeHttpMethods();
    }

    // The documented way to replace the handler ConfigureHttpClientDefaults added for one client; marked
    // experimental (EXTEXP0001) in Microsoft.Extensions.Http.Resilience 10.x.
#pragma warning disable EXTEXP0001
    private static void RemoveDefaultResilience(IHttpClientBuilder http) => http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
}
