using MlOps.AuthService.Tokens;

namespace MlOps.AuthService.Discovery;

/// <summary>
/// The issuer the tokens and the discovery document name: <c>TokenService:Issuer</c> (the AppHost sets this service's
/// own address, which every service is given as <c>Auth:Authority</c>), else the fixed local port.
/// </summary>
public static class IssuerResolver
{
    public const string Fallback = "http://127.0.0.1:8011";

    public static string Resolve(TokenServiceOptions options) => Resolve(options.Issuer);

    public static string Resolve(string? issuer) =>
        (string.IsNullOrWhiteSpace(issuer) ? Fallback : issuer).Trim().TrimEnd('/');
}
