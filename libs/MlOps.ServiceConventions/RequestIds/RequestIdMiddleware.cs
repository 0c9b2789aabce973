using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlOps.ServiceDefaults.Telemetry;

namespace MlOps.ServiceConventions.RequestIds;

/// <summary>
/// Gives every request an id: the caller's <c>X-Request-Id</c> when it is a sane token, else a new one. The id is
/// echoed on the response, set as the request's trace identifier, and put in a log scope so every line the request
/// writes carries it next to the trace id. It is also written back on the request, so a proxy forwards the same id
/// downstream, and set on the response when it starts, so a proxied response does not carry two ids.
/// Each request ends with one access-log line written inside that scope (method, path, status, duration); ASP.NET
/// Core's own request lines are written before the id is known, so they are left at Warning in appsettings.
/// </summary>
public static partial class RequestIdMiddleware
{
    public const string HeaderName = "X-Request-Id";
    private const string ItemKey = "MlOps.RequestId";

    public static IApplicationBuilder UseRequestIds(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("MlOps.Requests");
        var time = app.ApplicationServices.GetRequiredService<TimeProvider>();
        return app.Use(async (context, next) =>
        {
            var requestId = context.Request.Headers[HeaderName].ToString();
            if (!IsAcceptable(requestId))
            {
                requestId = Guid.NewGuid().ToString("N");
            }

            context.Items[ItemKey] = requestId;
            context.TraceIdentifier = requestId;
            context.Request.Headers[HeaderName] = requestId;
            context.Response.OnStarting(static state =>
            {
                var (response, id) = ((HttpResponse, string))state;
                response.Headers[HeaderName] = id;
                return Task.CompletedTask;
            }, (context.Response, requestId));
            using (logger.BeginScope(new RequestIdScope(requestId)))
            {
                var started = time.GetTimestamp();
                try
                {
                    await next(context);
                }
                finally
                {
                    LogRequest(logger, context, time.GetElapsedTime(started));
                }
            }
        });
    }

    private static void LogRequest(ILogger logger, HttpContext context, TimeSpan elapsed)
    {
        // Probes and scrapes arrive every few seconds: keep them out of the log unless asked for. A server error is a
        // warning, so `Logging:LogLevel:MlOps.Requests=Warning` keeps exactly the lines worth reading (an access line
        // per request costs about half the throughput of a small machine: bench/results/serving.md).
        var level = ProbePaths.IsProbe(context.Request.Path) ? LogLevel.Debug
            : context.Response.StatusCode >= StatusCodes.Status500InternalServerError ? LogLevel.Warning
            : LogLevel.Information;
        if (logger.IsEnabled(level))
        {
            LogRequestCompleted(
                logger, level, context.Request.Method, context.Request.Path, context.Response.StatusCode, elapsed.TotalMilliseconds);
        }
    }

    [LoggerMessage(EventId = 1, Message = "HTTP {Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms")]
    private static partial void LogRequestCompleted(
        ILogger logger, LogLevel level, string method, PathString path, int statusCode, double elapsedMs);

    public static string GetRequestId(this HttpContext context) =>
        context.Items[ItemKey] as string ?? context.TraceIdentifier;

    /// <summary>Caller-chosen ids are echoed into headers and logs, so only short, plain tokens are kept.</summary>
    private static bool IsAcceptable(string value) => value.Length is > 0 and <= 128 && SafeToken().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9._:-]+$")]
    private static partial Regex SafeToken();

    private sealed class RequestIdScope(string requestId) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public int Count => 1;

        public KeyValuePair<string, object> this[int index] =>
            index == 0 ? new("RequestId", requestId) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"RequestId:{requestId}";
    }
}
