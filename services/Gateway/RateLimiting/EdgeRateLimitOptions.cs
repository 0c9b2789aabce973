namespace MlOps.Gateway.RateLimiting;

/// <summary>Edge rate limits (section <c>Gateway:RateLimits</c>).</summary>
public sealed class EdgeRateLimitOptions
{
    public const string SectionName = "Gateway:RateLimits";

    /// <summary>Requests per second for one caller: a token's subject, else a client address.</summary>
    public int PermitsPerSecond { get; set; } = 1000;

    /// <summary>Requests a caller may send at once above the steady rate.</summary>
    public int Burst { get; set; } = 2000;

    /// <summary>Token requests per minute from one client address: password guessing stays slow.</summary>
    public int TokenRequestsPerMinute { get; set; } = 60;
}
