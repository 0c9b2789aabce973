using MlOps.AuthService.Tokens;

namespace MlOps.AuthService.Discovery;

/// <summary>
/// The issuer the tokens and the discovery document name: <c>TokenService:Issuer</c>, else this service's discovered
/// address (<c>services:auth:http:0</c>, what the other services use as their authority), else the fixed local port.
/// </summary>
public static class IssuerResolver
{
    public const string Fallback = "http://127.0.0.1:8011";

    public static string Resolve(TokenServiceOptions options, IConfiguration configuration) =>
        Resolve(options.Issuer, configuration);

    public static string Resolve(string? issuer, IConfiguration configuration)
    {
        var value = !string.IsNullOrWhiteSpace(issuer) ? issuer
            : !string.IsNullOrWhiteSpace(configuration["services:auth:http:0"]) ? configuration["services:auth:http:0"]!
            : Fallback;
        return value.Trim().TrimEnd('/');
    }
}
