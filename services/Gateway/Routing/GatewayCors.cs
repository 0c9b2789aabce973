using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace MlOps.Gateway.Routing;

/// <summary>Browser origins allowed to call the API through the gateway (section <c>Gateway:Cors</c>).</summary>
public sealed class GatewayCorsOptions
{
    public const string SectionName = "Gateway:Cors";

    /// <summary>Exact origins, e.g. <c>https://mlops.example.com</c>; none by default, so browsers are refused.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromMinutes(10);
}

public static class GatewayCors
{
    public const string PolicyName = "platform";

    public static void AddGatewayCors(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayCorsOptions>().BindConfiguration(GatewayCorsOptions.SectionName);
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<GatewayCorsOptions>>((cors, gateway) =>
            cors.AddPolicy(PolicyName, policy => policy
                .WithOrigins(gateway.Value.AllowedOrigins)
                .AllowAnyMethod()
                .WithHeaders("Authorization", "Content-Type", "X-Request-Id", "traceparent", "tracestate")
                .WithExposedHeaders("X-Request-Id", "Retry-After", "Location")
                .SetPreflightMaxAge(gateway.Value.PreflightMaxAge)));
    }
}
