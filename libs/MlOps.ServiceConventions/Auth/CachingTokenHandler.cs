using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MlOps.ServiceConventions.Auth;

/// <summary>
/// JWT validation that verifies a token's signature once and remembers the outcome, keyed by the token's exact text,
/// until the token expires or <see cref="MaxAge"/> passes, whichever is first. A client sends the same token with
/// every request until it refreshes it, and the ECDSA verification is most of what a small request costs (measured:
/// about half of a prediction's CPU time). A remembered token is still refused once it expires; a token signed by a
/// key withdrawn from the key set is accepted for at most <see cref="MaxAge"/> more. Only successful validations are
/// kept, at most <see cref="MaxEntries"/> of them; each caller gets its own copy of the identity.
/// </summary>
public sealed class CachingTokenHandler(TimeProvider time) : JsonWebTokenHandler
{
    public const int MaxEntries = 10_000;
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Validated> _validated = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = time.GetUtcNow();
        if (_validated.TryGetValue(token, out var known))
        {
            if (now < known.Until)
            {
                return new TokenValidationResult
                {
                    IsValid = true,
                    SecurityToken = known.Result.SecurityToken,
                    ClaimsIdentity = known.Identity.Clone(),
                    Issuer = known.Result.Issuer,
                    TokenType = known.Result.TokenType,
                };
            }

            _validated.TryRemove(new KeyValuePair<string, Validated>(token, known));
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken jwt && result.ClaimsIdentity is { } identity)
        {
            if (_validated.Count >= MaxEntries)
            {
                Prune(now);
            }

            var until = jwt.ValidTo == DateTime.MinValue ? now + MaxAge : Min(new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), now + MaxAge);
            _validated[token] = new Validated(result, identity.Clone(), until);
        }

        return result;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (token, entry) in _validated)
        {
            if (entry.Until <= now)
            {
                _validated.TryRemove(token, out _);
            }
        }

        // Still full of live tokens (many callers at once): start over rather than grow without bound.
        if (_validated.Count >= MaxEntries)
        {
            _validated.Clear();
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed record Validated(TokenValidationResult Result, ClaimsIdentity Identity, DateTimeOffset Until);
}
