using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using MlOps.ServiceConventions.RateLimiting;

namespace MlOps.Gateway.RateLimiting;

/// <summary>
/// Token buckets at the edge, one per caller: the subject of a valid bearer token, else the client address, so a
/// forged token cannot mint fresh buckets. Token requests (and the sign-in form, device codes and their approval) get a
/// second, much smaller bucket per address. Probes and
/// scrapes are never limited. A refused request gets 429, <c>Retry-After</c> and a ProblemDetails body.
/// </summary>
public static class EdgeRateLimiting
{
    public static void AddEdgeRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EdgeRateLimitOptions>()
            .BindConfiguration(EdgeRateLimitOptions.SectionName)
            .Validate(o => o.PermitsPerSecond > 0 && o.Burst > 0 && o.TokenRequestsPerMinute > 0, "rate limits must be positive")
            .ValidateOnStart();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<EdgeRateLimitOptions>>((limiter, limits) =>
            {
                limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                    PerCaller(limits.Value), TokenEndpointPerAddress(limits.Value));
                limiter.OnRejected = TooManyRequests.RejectAsync;
            });
    }

    private static PartitionedRateLimiter<HttpContext> PerCaller(EdgeRateLimitOptions limits) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (IsProbe(context.Request.Path))
            {
                return RateLimitPartition.GetNoLimiter(string.Empty);
            }

            var subject = context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst("sub")?.Value : null;
            var key = subject is not null ? "sub:" + subject : "ip:" + context.Connection.RemoteIpAddress;
            return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.Burst,
                TokensPerPeriod = limits.PermitsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });

    /// <summary>The token service's requests that try a password or a code: tokens, the sign-in form, device codes and their approval.</summary>
    private static readonly PathString[] GuessablePaths = ["/connect/token", "/connect/signin", "/connect/device", "/connect/verify"];

    private static PartitionedRateLimiter<HttpContext> TokenEndpointPerAddress(EdgeRateLimitOptions limits) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
            HttpMethods.IsPost(context.Request.Method) && Array.Exists(GuessablePaths, path => context.Request.Path.StartsWithSegments(path))
                ? RateLimitPartition.GetFixedWindowLimiter("token:" + context.Connection.RemoteIpAddress, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.TokenRequestsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                })
                : RateLimitPartition.GetNoLimiter(string.Empty));

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/alive") || path.StartsWithSegments("/metrics");
}
