using System.Security.Claims;

namespace MlOps.ServiceConventions.Auth;

/// <summary>The platform's OAuth2 scopes; each is also the name of the authorization policy that requires it.</summary>
public static class Scopes
{
    public const string Read = "mlops.read";
    public const string Train = "mlops.train";
    public const string Predict = "mlops.predict";
    public const string Admin = "mlops.admin";

    public static readonly IReadOnlyList<string> All = [Read, Train, Predict, Admin];

    /// <summary>The scope claim is one space-delimited string (RFC 9068); some issuers send one claim per scope.</summary>
    public static bool HasScope(this ClaimsPrincipal user, string scope) =>
        user.FindAll("scope").Any(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope));
}
