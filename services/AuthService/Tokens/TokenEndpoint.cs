using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MlOps.AuthService.Persistence;
using MlOps.AuthService.Users;

namespace MlOps.AuthService.Tokens;

/// <summary>
/// <c>POST /connect/token</c> (RFC 6749 §3.2): the <c>password</c>, <c>client_credentials</c> and <c>refresh_token</c>
/// grants, answering §5.1 tokens or §5.2 errors. Failed password sign-ins are counted and lead to locks; every
/// failure of a sign-in gets the same answer, so it does not reveal whether the user exists or is locked.
/// </summary>
public static class TokenEndpoint
{
    public const string RateLimitPolicy = "token-endpoint";

    public static void MapTokenEndpoint(this WebApplication app) =>
        app.MapPost("/connect/token", HandleAsync)
            .AllowAnonymous()
            .RequireRateLimiting(RateLimitPolicy)
            .WithName("Token")
            .WithSummary("OAuth 2.0 token endpoint")
            .WithDescription("Form-encoded grant_type=password | client_credentials | refresh_token (RFC 6749).")
            .WithTags("Tokens");

    private static async Task<IResult> HandleAsync(HttpContext context, TokenGrants grants, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
        {
            return Error(TokenError.InvalidRequest("The token request must be application/x-www-form-urlencoded."));
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var (credentials, credentialsError) = ClientAuthentication.Read(context.Request, form);
        if (credentialsError is not null)
        {
            return Error(credentialsError);
        }

        var grantType = form["grant_type"].ToString();
        var (response, error) = grantType switch
        {
            "password" => await grants.PasswordAsync(form, credentials, context.Connection.RemoteIpAddress?.ToString(), cancellationToken),
            "client_credentials" => await grants.ClientCredentialsAsync(form, credentials, cancellationToken),
            "refresh_token" => await grants.RefreshAsync(form, credentials, cancellationToken),
            "" => (null, TokenError.InvalidRequest("grant_type is required.")),
            _ => (null, TokenError.UnsupportedGrantType($"grant_type '{grantType}' is not supported; use password, client_credentials or refresh_token.")),
        };

        if (error is not null)
        {
            if (error.Error == "invalid_client" && credentials?.ViaBasic == true)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"mlops\"";
            }

            return Error(error);
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        return Results.Json(response);
    }

    private static IResult Error(TokenError error) => Results.Json(error, statusCode: error.StatusCode);
}

/// <summary>The three grants, each returning a token response or the RFC 6749 error to answer.</summary>
internal sealed class TokenGrants(
    AuthDbContext db,
    UserManager<User> users,
    ClientAuthentication clients,
    LoginThrottle throttle,
    IPasswordHasher<User> passwords,
    AccessTokenFactory accessTokens,
    IOptions<TokenServiceOptions> options,
    IOptions<LoginThrottleOptions> lockout,
    TimeProvider time)
{
    /// <summary>The <c>client_id</c> of tokens a person got without naming a client (e.g. with curl).</summary>
    private const string PublicClientId = "public";
    private const string SignInFailed = "The user name or password is incorrect, or the account is temporarily locked.";

    private static readonly User Decoy = new()
    {
        UserName = string.Empty,
        PasswordHash = new PasswordHasher<User>().HashPassword(null!, Secrets.New()),
    };

    public async Task<(TokenResponse?, TokenError?)> PasswordAsync(
        IFormCollection form, ClientCredentials? credentials, string? address, CancellationToken cancellationToken)
    {
        var userName = form["username"].ToString();
        var password = form["password"].ToString();
        if (userName.Length == 0 || password.Length == 0)
        {
            return (null, TokenError.InvalidRequest("username and password are required."));
        }

        var client = credentials is null ? null : await clients.AuthenticateAsync(credentials, cancellationToken);
        if (credentials is not null && client is null)
        {
            return (null, TokenError.InvalidClient("Client authentication failed."));
        }

        var normalized = users.NormalizeName(userName) ?? userName;
        var userKey = LoginThrottle.UserKey(normalized);
        var addressKey = LoginThrottle.AddressKey(address);

        // The password is checked even when the name or the address is locked, so that a locked attempt costs what any
        // other does: the time of an answer must not tell that a lock is on.
        var user = await users.FindByNameAsync(userName);
        var verdict = passwords.VerifyHashedPassword(user ?? Decoy, (user ?? Decoy).PasswordHash ?? Decoy.PasswordHash!, password);
        if (await throttle.IsLockedAsync([userKey, addressKey], cancellationToken))
        {
            return (null, TokenError.InvalidGrant(SignInFailed));
        }

        if (user is null || user.Disabled || verdict == PasswordVerificationResult.Failed)
        {
            await throttle.RecordFailureAsync(userKey, lockout.Value.MaxFailuresPerUser, cancellationToken);
            await throttle.RecordFailureAsync(addressKey, lockout.Value.MaxFailuresPerAddress, cancellationToken);
            return (null, TokenError.InvalidGrant(SignInFailed));
        }

        await throttle.ResetAsync(userKey, cancellationToken);
        var roles = await users.GetRolesAsync(user);
        var allowed = Roles.ScopesOf(roles);
        if (client is not null)
        {
            allowed.IntersectWith(client.Scopes);
        }

        var (scope, scopeError) = ScopeRequest.Narrow(form["scope"], allowed);
        if (scopeError is not null)
        {
            return (null, scopeError);
        }

        var subject = new TokenSubject(user.Id.ToString(), client?.ClientId ?? PublicClientId, user.UserName!, [.. roles]);
        var refresh = await NewRefreshTokenAsync(user.Id, client?.ClientId, scope!, Guid.NewGuid(), cancellationToken);
        return (await ResponseAsync(subject, scope!, refresh, cancellationToken), null);
    }

    public async Task<(TokenResponse?, TokenError?)> ClientCredentialsAsync(
        IFormCollection form, ClientCredentials? credentials, CancellationToken cancellationToken)
    {
        if (credentials is null)
        {
            return (null, TokenError.InvalidClient("client_credentials needs the client's id and secret (HTTP Basic or client_secret)."));
        }

        var client = await clients.AuthenticateAsync(credentials, cancellationToken);
        if (client is null)
        {
            return (null, TokenError.InvalidClient("Client authentication failed."));
        }

        var (scope, scopeError) = ScopeRequest.Narrow(form["scope"], client.Scopes.ToHashSet(StringComparer.Ordinal));
        if (scopeError is not null)
        {
            return (null, scopeError);
        }

        var subject = new TokenSubject(client.ClientId, client.ClientId, null, []);
        return (await ResponseAsync(subject, scope!, null, cancellationToken), null);
    }

    public async Task<(TokenResponse?, TokenError?)> RefreshAsync(
        IFormCollection form, ClientCredentials? credentials, CancellationToken cancellationToken)
    {
        var presented = form["refresh_token"].ToString();
        if (presented.Length == 0)
        {
            return (null, TokenError.InvalidRequest("refresh_token is required."));
        }

        var client = credentials is null ? null : await clients.AuthenticateAsync(credentials, cancellationToken);
        if (credentials is not null && client is null)
        {
            return (null, TokenError.InvalidClient("Client authentication failed."));
        }

        var hash = Secrets.Sha256(presented);
        var token = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (token is null || token.ClientId != client?.ClientId)
        {
            return (null, TokenError.InvalidGrant("The refresh token is not valid."));
        }

        var now = time.GetUtcNow();
        if (token.ExpiresAt <= now)
        {
            return (null, TokenError.InvalidGrant("The refresh token has expired; sign in again."));
        }

        // Consume it in one conditional update: a token used twice, even by two requests at once, is a theft signal.
        var consumed = await db.RefreshTokens
            .Where(t => t.Id == token.Id && t.ConsumedAt == null && t.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.ConsumedAt, now), cancellationToken);
        if (consumed == 0)
        {
            await db.RefreshTokens
                .Where(t => t.FamilyId == token.FamilyId && t.RevokedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now), cancellationToken);
            return (null, TokenError.InvalidGrant("The refresh token was already used; every token of its sign-in is now revoked."));
        }

        var user = await users.FindByIdAsync(token.UserId.ToString());
        if (user is null || user.Disabled)
        {
            return (null, TokenError.InvalidGrant("The user of this refresh token can no longer sign in."));
        }

        // The new token may narrow the scope but never widen it, and loses what the user's roles no longer grant.
        var roles = await users.GetRolesAsync(user);
        var allowed = token.Scope.Split(' ').ToHashSet(StringComparer.Ordinal);
        allowed.IntersectWith(Roles.ScopesOf(roles));
        var requested = form["scope"].ToString();
        var (scope, scopeError) = ScopeRequest.Narrow(requested.Length == 0 ? string.Join(' ', allowed) : requested, allowed);
        if (scopeError is not null)
        {
            return (null, scopeError);
        }

        var subject = new TokenSubject(user.Id.ToString(), client?.ClientId ?? PublicClientId, user.UserName!, [.. roles]);
        var refresh = await NewRefreshTokenAsync(user.Id, client?.ClientId, scope!, token.FamilyId, cancellationToken);
        return (await ResponseAsync(subject, scope!, refresh, cancellationToken), null);
    }

    private async Task<string> NewRefreshTokenAsync(Guid userId, string? clientId, string scope, Guid familyId, CancellationToken cancellationToken)
    {
        var value = Secrets.New();
        var now = time.GetUtcNow();
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.NewGuid(),
            TokenHash = Secrets.Sha256(value),
            FamilyId = familyId,
            UserId = userId,
            ClientId = clientId,
            Scope = scope,
            CreatedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
        });
        await db.SaveChangesAsync(cancellationToken);
        return value;
    }

    private async Task<TokenResponse> ResponseAsync(TokenSubject subject, string scope, string? refreshToken, CancellationToken cancellationToken) =>
        new(
            await accessTokens.CreateAsync(subject, scope, cancellationToken),
            "Bearer",
            (int)accessTokens.Lifetime.TotalSeconds,
            scope,
            refreshToken);
}
