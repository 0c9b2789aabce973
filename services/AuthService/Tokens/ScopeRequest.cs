using MlOps.ServiceConventions.Auth;

namespace MlOps.AuthService.Tokens;

/// <summary>
/// Narrows the scopes a caller asks for to those it may have. No <c>scope</c> parameter means everything allowed; an
/// unknown scope, or a request that leaves nothing, is <c>invalid_scope</c>.
/// </summary>
internal static class ScopeRequest
{
    public static (string? Scope, TokenError? Error) Narrow(string? requested, IReadOnlySet<string> allowed)
    {
        var asked = (requested ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var unknown = asked.Where(scope => !Scopes.All.Contains(scope)).ToArray();
        if (unknown.Length > 0)
        {
            return (null, TokenError.InvalidScope($"Unknown scope: {string.Join(' ', unknown)}. Known: {string.Join(' ', Scopes.All)}."));
        }

        var granted = (asked.Length == 0 ? Scopes.All : asked).Where(allowed.Contains).Distinct().Order(StringComparer.Ordinal).ToArray();
        return granted.Length == 0
            ? (null, TokenError.InvalidScope($"None of the requested scopes is allowed; allowed: {string.Join(' ', allowed.Order(StringComparer.Ordinal))}."))
            : (string.Join(' ', granted), null);
    }
}
