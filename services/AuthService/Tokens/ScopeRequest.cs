using static OpenIddict.Abstractions.OpenIddictConstants;
using PlatformScopes = MlOps.ServiceConventions.Auth.Scopes;

namespace MlOps.AuthService.Tokens;

/// <summary>
/// Narrows the platform scopes a caller asks for to those it may have. No platform scope asked means every one allowed;
/// an unknown scope, or a request that leaves none, is <c>invalid_scope</c>. The OpenID Connect scopes <c>openid</c>
/// and <c>profile</c> (an identity token for a web sign-in) pass through as asked: they grant no access.
/// </summary>
internal static class ScopeRequest
{
    public static readonly IReadOnlySet<string> IdentityScopes = new HashSet<string>(StringComparer.Ordinal) { Scopes.OpenId, Scopes.Profile };

    public static (string? Scope, TokenError? Error) Narrow(string? requested, IReadOnlySet<string> allowed) =>
        Narrow((requested ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries), allowed);

    public static (string? Scope, TokenError? Error) Narrow(IReadOnlyCollection<string> requested, IReadOnlySet<string> allowed)
    {
        var identity = requested.Where(IdentityScopes.Contains).Distinct().Order(StringComparer.Ordinal).ToArray();
        var asked = requested.Where(scope => !IdentityScopes.Contains(scope) && scope != Scopes.OfflineAccess).ToArray();
        var unknown = asked.Where(scope => !PlatformScopes.All.Contains(scope)).ToArray();
        if (unknown.Length > 0)
        {
            return (null, TokenError.InvalidScope($"Unknown scope: {string.Join(' ', unknown)}. Known: {string.Join(' ', PlatformScopes.All)}."));
        }

        var granted = (asked.Length == 0 ? PlatformScopes.All : asked).Where(allowed.Contains).Distinct().Order(StringComparer.Ordinal).ToArray();
        return granted.Length == 0
            ? (null, TokenError.InvalidScope($"None of the requested scopes is allowed; allowed: {string.Join(' ', allowed.Order(StringComparer.Ordinal))}."))
            : (string.Join(' ', granted.Concat(identity)), null);
    }
}
