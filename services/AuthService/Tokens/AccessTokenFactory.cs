using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MlOps.AuthService.Keys;

namespace MlOps.AuthService.Tokens;

/// <summary>Who a token is for: its subject, the client that asked, the user's name and roles if a person.</summary>
internal sealed record TokenSubject(string Subject, string ClientId, string? UserName, IReadOnlyList<string> Roles);

/// <summary>
/// Signs access tokens: JWTs with <c>iss</c>, <c>aud</c>, <c>sub</c>, <c>exp</c>, <c>iat</c>, <c>nbf</c>, <c>jti</c>,
/// <c>scope</c> (space-separated, RFC 9068), <c>client_id</c>, and for people <c>name</c> and <c>role</c>.
/// </summary>
internal sealed class AccessTokenFactory(ISigningKeys keys, IOptions<TokenServiceOptions> options, IssuerName issuer, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public TimeSpan Lifetime => options.Value.AccessTokenLifetime;

    public async Task<string> CreateAsync(TokenSubject subject, string scope, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Sub] = subject.Subject,
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            ["scope"] = scope,
            ["client_id"] = subject.ClientId,
        };
        if (subject.UserName is not null)
        {
            claims["name"] = subject.UserName;
            claims["role"] = subject.Roles.ToArray();
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer.Value,
            Audience = options.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Claims = claims,
            TokenType = "at+jwt",
            SigningCredentials = await keys.GetSigningCredentialsAsync(cancellationToken),
        });
    }
}
