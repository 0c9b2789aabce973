using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MlOps.AuthService.Clients;
using MlOps.AuthService.Users;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace MlOps.AuthService.Tokens;

/// <summary>What a grant decided: who the token is for and the scopes granted, or the RFC 6749 error to answer.</summary>
internal sealed record GrantOutcome(ClaimsPrincipal? Principal, string? Scope, TokenError? Error)
{
    public static GrantOutcome Refused(TokenError error) => new(null, null, error);
}

/// <summary>
/// The three grants, after OpenIddict has authenticated the client (when one is named) and, for a refresh, checked
/// the token. Failed password sign-ins are counted and lead to locks; every failure of a sign-in gets the same answer
/// at the same cost, so it does not reveal whether the user exists or is locked.
/// </summary>
internal sealed class TokenGrants(
    UserManager<User> users,
    ClientApplications clients,
    LoginThrottle throttle,
    IPasswordHasher<User> passwords,
    IOptions<TokenServiceOptions> options,
    IOptions<LoginThrottleOptions> lockout)
{
    private const string SignInFailed = "The user name or password is incorrect, or the account is temporarily locked.";

    private static readonly User Decoy = new()
    {
        UserName = string.Empty,
        PasswordHash = new PasswordHasher<User>().HashPassword(null!, Secrets.New()),
    };

    public async Task<GrantOutcome> PasswordAsync(OpenIddictRequest request, string? address, CancellationToken cancellationToken)
    {
        var userName = request.Username ?? string.Empty;
        var password = request.Password ?? string.Empty;
        var client = await ClientAsync(request, cancellationToken);
        if (client.Error is not null)
        {
            return GrantOutcome.Refused(client.Error);
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
            return GrantOutcome.Refused(TokenError.InvalidGrant(SignInFailed));
        }

        if (user is null || user.Disabled || verdict == PasswordVerificationResult.Failed)
        {
            await throttle.RecordFailureAsync(userKey, lockout.Value.MaxFailuresPerUser, cancellationToken);
            await throttle.RecordFailureAsync(addressKey, lockout.Value.MaxFailuresPerAddress, cancellationToken);
            return GrantOutcome.Refused(TokenError.InvalidGrant(SignInFailed));
        }

        await throttle.ResetAsync(userKey, cancellationToken);
        var roles = await users.GetRolesAsync(user);
        var allowed = Roles.ScopesOf(roles);
        if (client.Scopes is not null)
        {
            allowed.IntersectWith(client.Scopes);
        }

        var (scope, scopeError) = ScopeRequest.Narrow(request.Scope, allowed);
        return scopeError is not null
            ? GrantOutcome.Refused(scopeError)
            : new GrantOutcome(Person(user, roles, scope!), scope, null);
    }

    public async Task<GrantOutcome> ClientCredentialsAsync(OpenIddictRequest request, CancellationToken cancellationToken)
    {
        var client = await ClientAsync(request, cancellationToken);
        if (client.Error is not null)
        {
            return GrantOutcome.Refused(client.Error);
        }

        var (scope, scopeError) = ScopeRequest.Narrow(request.Scope, client.Scopes!);
        if (scopeError is not null)
        {
            return GrantOutcome.Refused(scopeError);
        }

        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, request.ClientId);
        return new GrantOutcome(Finish(identity, scope!, refresh: false), scope, null);
    }

    public async Task<GrantOutcome> RefreshAsync(OpenIddictRequest request, ClaimsPrincipal? stored, CancellationToken cancellationToken)
    {
        var client = await ClientAsync(request, cancellationToken);
        if (client.Error is not null)
        {
            return GrantOutcome.Refused(client.Error);
        }

        var user = stored?.GetClaim(Claims.Subject) is { } subject ? await users.FindByIdAsync(subject) : null;
        if (user is null || user.Disabled)
        {
            return GrantOutcome.Refused(TokenError.InvalidGrant("The user of this refresh token can no longer sign in."));
        }

        // The new token may narrow the scope but never widen it, and loses what the user's roles no longer grant.
        var roles = await users.GetRolesAsync(user);
        var allowed = stored!.GetScopes().Where(scope => scope != Scopes.OfflineAccess).ToHashSet(StringComparer.Ordinal);
        allowed.IntersectWith(Roles.ScopesOf(roles));
        var (scope, scopeError) = ScopeRequest.Narrow(
            string.IsNullOrEmpty(request.Scope) ? string.Join(' ', allowed) : request.Scope, allowed);
        return scopeError is not null
            ? GrantOutcome.Refused(scopeError)
            : new GrantOutcome(Person(user, roles, scope!), scope, null);
    }

    /// <summary>The client named by the request (already authenticated by OpenIddict), refused when disabled.</summary>
    private async Task<(HashSet<string>? Scopes, TokenError? Error)> ClientAsync(OpenIddictRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.ClientId))
        {
            return (null, null);
        }

        var (disabled, scopes) = await clients.GetGrantAsync(request.ClientId, cancellationToken);
        return disabled ? (null, TokenError.InvalidClient("Client authentication failed.")) : (scopes, null);
    }

    private ClaimsPrincipal Person(User user, IList<string> roles, string scope)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, user.Id.ToString());
        identity.SetClaim(Claims.Name, user.UserName);
        identity.SetClaims(Claims.Role, [.. roles]);
        return Finish(identity, scope, refresh: true);
    }

    /// <summary>
    /// Scopes and the audience; everything goes in the access token (no identity tokens here). OpenIddict adds
    /// <c>client_id</c> when a client asked; a person who named none (curl, scripts) gets a token without one.
    /// </summary>
    private ClaimsPrincipal Finish(ClaimsIdentity identity, string scope, bool refresh)
    {
        var scopes = scope.Split(' ').ToList();
        if (refresh)
        {
            scopes.Add(Scopes.OfflineAccess);
        }

        identity.SetScopes(scopes);
        identity.SetResources(options.Value.Audience);
        identity.SetDestinations(static _ => [Destinations.AccessToken]);
        return new ClaimsPrincipal(identity);
    }

    private static ClaimsIdentity NewIdentity() =>
        new(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
}
