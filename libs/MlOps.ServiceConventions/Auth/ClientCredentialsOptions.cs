namespace MlOps.ServiceConventions.Auth;

/// <summary>
/// This service's own OAuth2 client, used to call other services (section <c>Auth:Client</c>): a client-credentials
/// token from the token service at <c>{authority}/connect/token</c>, where the authority is the one tokens are
/// validated against (<c>Auth:Authority</c>).
/// </summary>
public sealed class ClientCredentialsOptions
{
    public const string SectionName = "Auth:Client";

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Space-separated scopes to ask for.</summary>
    public string Scope { get; set; } = Scopes.Read;

    /// <summary>
    /// A token is fetched again this long before it expires, so a call never leaves with a token about to lapse. For
    /// tokens that live less than twice this long, half their lifetime is used instead.
    /// </summary>
    public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>An absolute token endpoint, only when it is not <c>{authority}/connect/token</c>.</summary>
    public Uri? TokenEndpoint { get; set; }
}
