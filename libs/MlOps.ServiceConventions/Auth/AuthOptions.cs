namespace MlOps.ServiceConventions.Auth;

/// <summary>Token validation settings (section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// Issuer of the tokens, whose <c>/.well-known/openid-configuration</c> names the signing keys; the AppHost sets
    /// the auth service's address for every service.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>The audience every platform token carries.</summary>
    public string Audience { get; set; } = "mlops";

    /// <summary>Plain HTTP is accepted for a loopback authority only, unless this is set to false.</summary>
    public bool? RequireHttpsMetadata { get; set; }

    /// <summary>Tolerated clock difference between the token service and this one.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
