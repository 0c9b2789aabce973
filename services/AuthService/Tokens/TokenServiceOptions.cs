namespace MlOps.AuthService.Tokens;

/// <summary>The token service's settings (section <c>TokenService</c>).</summary>
public sealed class TokenServiceOptions
{
    public const string SectionName = "TokenService";

    /// <summary>
    /// The <c>iss</c> of every token and the issuer in the discovery document. The AppHost sets this service's own
    /// address, which every service is also given as its authority; without it, <c>http://127.0.0.1:8011</c>.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> every platform token carries (what ServiceDefaults validates).</summary>
    public string Audience { get; set; } = "mlops";

    /// <summary>
    /// The address people's browsers reach the platform at (the gateway; the AppHost sets it). The device flow's
    /// <c>verification_uri</c> points there; without it, at the issuer.
    /// </summary>
    public string? PublicOrigin { get; set; }

    /// <summary>How long a person stays signed in on the token service's pages (sign-in, device verification).</summary>
    public TimeSpan SignInSessionLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long a signing key signs before the next one takes over.</summary>
    public TimeSpan SigningKeyLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long the next signing key is published before it signs, so verifiers have it cached in time.</summary>
    public TimeSpan SigningKeyPublishAhead { get; set; } = TimeSpan.FromDays(2);
}
