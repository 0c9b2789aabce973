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
/// Who a token is for and with which scopes, after OpenIddict has checked the request (the client's credentials when
/// one is named; a refresh token, an authorization code with its PKCE verifier, or a device code). People get the
/// scopes their roles grant, narrowed by the client's and by what they asked; a grant redeemed later (refresh, code,
/// device code) is checked again against the user as they are now.
/// </summary>
internal sealed class TokenGrants(
    UserManager<User> users,
    ClientApplications clients,
    PasswordCheck passwords,
    IOptions<TokenServiceOptions> options)
{
    public async Task<GrantOutcome> PasswordAsync(OpenIddictRequest request, string? address, CancellationToken cancellationToken)
    {
        var client = await ClientScopesAsync(request.ClientId, cancellationToken);
        if (client.Error is not null)
        {
            return GrantOutcome.Refused(client.Error);
        }

        var user = await passwords.CheckAsync(request.Username, request.Password, address, cancellationToken);
        return user is null
            ? GrantOutcome.Refused(TokenError.InvalidGrant(PasswordCheck.Failed))
            : await PersonAsync(user, client.Scopes, ScopeList(request.Scope));
    }

    public async Task<GrantOutcome> ClientCredentialsAsync(OpenIddictRequest request, CancellationToken cancellationToken)
    {
        var client = await ClientScopesAsync(request.ClientId, cancellationToken);
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

    /// <summary>
    /// A person signed in on the sign-in page approves a client's authorization request or device code: the scopes the
    /// client asked for, narrowed by the user's roles and the client's permissions.
    /// </summary>
    public async Task<GrantOutcome> SignedInAsync(User user, string? clientId, IReadOnlyCollection<string> requested, CancellationToken cancellationToken)
    {
        var client = await ClientScopesAsync(clientId, cancellationToken);
        return client.Error is not null ? GrantOutcome.Refused(client.Error) : await PersonAsync(user, client.Scopes, requested);
    }

    /// <summary>
    /// A refresh token, an authorization code or a device code, already validated by OpenIddict, redeemed for new tokens.
    /// A refresh may narrow the scope but never widen it, and every grant loses what the user's roles no longer grant.
    /// </summary>
    public async Task<GrantOutcome> RedeemAsync(OpenIddictRequest request, ClaimsPrincipal? stored, CancellationToken cancellationToken)
    {
        var client = await ClientScopesAsync(request.ClientId, cancellationToken);
        if (client.Error is not null)
        {
            return GrantOutcome.Refused(client.Error);
        }

        var user = stored?.GetClaim(Claims.Subject) is { } subject ? await users.FindByIdAsync(subject) : null;
        if (user is null || user.Disabled)
        {
            return GrantOutcome.Refused(TokenError.InvalidGrant("The user of this grant can no longer sign in."));
        }

        // OpenIddict has already refused a refresh that asks for more than was granted.
        var granted = stored!.GetScopes().Where(scope => scope != Scopes.OfflineAccess).ToHashSet(StringComparer.Ordinal);
        var requested = request.IsRefreshTokenGrantType() && !string.IsNullOrEmpty(request.Scope) ? ScopeList(request.Scope) : granted;
        var limit = new HashSet<string>(granted, StringComparer.Ordinal);
        if (client.Scopes is not null)
        {
            limit.IntersectWith(client.Scopes);
        }

        return await PersonAsync(user, limit, requested);
    }

    /// <summary>The client's scopes (null when no client is named), or invalid_client when it is disabled.</summary>
    private async Task<(HashSet<string>? Scopes, TokenError? Error)> ClientScopesAsync(string? clientId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(clientId))
        {
            return (null, null);
        }

        var (disabled, scopes) = await clients.GetGrantAsync(clientId, cancellationToken);
        return disabled ? (null, TokenError.InvalidClient("Client authentication failed.")) : (scopes, null);
    }

    private async Task<GrantOutcome> PersonAsync(User user, IReadOnlySet<string>? limit, IReadOnlyCollection<string> requested)
    {
        var roles = await users.GetRolesAsync(user);
        var allowed = Roles.ScopesOf(roles);
        if (limit is not null)
        {
            allowed.IntersectWith(limit.Where(scope => !ScopeRequest.IdentityScopes.Contains(scope)));
        }

        var (scope, scopeError) = ScopeRequest.Narrow(requested, allowed);
        if (scopeError is not null)
        {
            return GrantOutcome.Refused(scopeError);
        }

        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, user.Id.ToString());
        identity.SetClaim(Claims.Name, user.UserName);
        identity.SetClaims(Claims.Role, [.. roles]);
        return new GrantOutcome(Finish(identity, scope!, refresh: true), scope, null);
    }

    /// <summary>
    /// Scopes and the audience. Every claim goes in the access token; the name and roles also go in the identity token
    /// when <c>openid</c> was granted (a web sign-in). OpenIddict adds <c>client_id</c> when a client asked; a person
    /// who named none (curl, scripts) gets a token without one.
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
        var identityToken = scopes.Contains(Scopes.OpenId);
        identity.SetDestinations(claim => identityToken && claim.Type is Claims.Name or Claims.Role
            ? [Destinations.AccessToken, Destinations.IdentityToken]
            : [Destinations.AccessToken]);
        return new ClaimsPrincipal(identity);
    }

    private static HashSet<string> ScopeList(string? scope) =>
        (scope ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    private static ClaimsIdentity NewIdentity() =>
        new(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
}
