namespace MlOps.ServiceDefaults.Telemetry;

/// <summary>
/// Meters and activity sources every service exports beyond what the instrumentation packages add: ASP.NET Core's
/// own meters the instrumentation leaves out, resilience events, YARP, and ours (<c>MlOps.*</c>).
/// </summary>
public static class TelemetryNames
{
    public static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        "System.Net.NameResolution",
        "Microsoft.EntityFrameworkCore",
        // Resilience events of outgoing calls (retries, timeouts, a circuit opening): resilience_polly_strategy_events_total.
        "Polly",
        "MlOps.*",
    ];

    public static readonly string[] Sources =
    [
        "Yarp.ReverseProxy",
        "MlOps.*",
    ];
}
