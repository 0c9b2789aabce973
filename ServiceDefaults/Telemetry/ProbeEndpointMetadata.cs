using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MlOps.ServiceDefaults.Telemetry;

/// <summary>Marks an endpoint as a probe or scrape: its requests are served but not traced.</summary>
public sealed class ProbeEndpointMetadata
{
    public static readonly ProbeEndpointMetadata Instance = new();

    private ProbeEndpointMetadata()
    {
    }
}

internal static class ProbeTracing
{
    /// <summary>
    /// Probes and scrapes arrive every few seconds; their spans would drown real requests, so they are marked as not
    /// recorded, which every export processor honours.
    /// </summary>
    public static IApplicationBuilder UseProbeTraceFilter(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<ProbeEndpointMetadata>() is not null
                && Activity.Current is { } activity)
            {
                activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
                activity.IsAllDataRequested = false;
            }

            return next(context);
        });

    public static TBuilder ExcludeFromTraces<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ProbeEndpointMetadata.Instance);
}
