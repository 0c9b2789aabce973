using Microsoft.AspNetCore.Http;

namespace MlOps.ServiceDefaults.Telemetry;

/// <summary>
/// The endpoints that probes and scrapers call every few seconds. Their requests are served but neither traced nor
/// logged above Debug: they would drown the requests people make.
/// </summary>
public static class ProbePaths
{
    public const string Health = "/health";
    public const string Alive = "/alive";
    public const string Metrics = "/metrics";

    public static bool IsProbe(PathString path) =>
        path.StartsWithSegments(Health) || path.StartsWithSegments(Alive) || path.StartsWithSegments(Metrics);
}
