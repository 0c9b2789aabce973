using System.Text.Json.Serialization;

namespace MlOps.AuthService.Tokens;

/// <summary>An RFC 6749 §5.2 error response.</summary>
public sealed record TokenError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string Description)
{
    public static TokenError InvalidRequest(string description) => new("invalid_request", description);

    public static TokenError InvalidClient(string description) => new("invalid_client", description);

    public static TokenError InvalidGrant(string description) => new("invalid_grant", description);

    public static TokenError InvalidScope(string description) => new("invalid_scope", description);

    public static TokenError UnsupportedGrantType(string description) => new("unsupported_grant_type", description);

    /// <summary>The status RFC 6749 gives each error: 401 for a client that failed to authenticate, else 400.</summary>
    [JsonIgnore]
    public int StatusCode => Error == "invalid_client" ? StatusCodes.Status401Unauthorized : StatusCodes.Status400BadRequest;
}

/// <summary>An RFC 6749 §5.1 access token response.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("refresh_token")]
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    string? RefreshToken);
