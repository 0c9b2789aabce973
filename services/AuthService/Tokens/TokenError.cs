namespace MlOps.AuthService.Tokens;

/// <summary>An RFC 6749 §5.2 error the token endpoint answers (OpenIddict writes it, with 401 for invalid_client).</summary>
internal sealed record TokenError(string Error, string Description)
{
    public static TokenError InvalidClient(string description) => new("invalid_client", description);

    public static TokenError InvalidGrant(string description) => new("invalid_grant", description);

    public static TokenError InvalidScope(string description) => new("invalid_scope", description);
}
