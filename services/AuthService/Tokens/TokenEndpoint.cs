using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;

namespace MlOps.AuthService.Tokens;

/// <summary>
/// <c>POST /connect/token</c> (RFC 6749 §3.2): OpenIddict reads and checks the request (its form, the client's
/// credentials, a refresh token's validity) and hands the grant to <see cref="TokenGrants"/>, which decides who the
/// token is for and with which scopes; OpenIddict then issues it, or the RFC 6749 error.
/// </summary>
public static class TokenEndpoint
{
    public static readonly PathString Path = "/connect/token";

    public static void MapTokenEndpoint(this WebApplication app) =>
        app.MapPost(Path.Value!, HandleAsync)
            .AllowAnonymous()
            .WithName("Token")
            .WithSummary("OAuth 2.0 token endpoint")
            .WithDescription("Form-encoded grant_type=password | client_credentials | refresh_token (RFC 6749).")
            .WithTags("Tokens");

    private static async Task<IResult> HandleAsync(HttpContext context, TokenGrants grants, CancellationToken cancellationToken)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The token request did not go through OpenIddict.");
        var outcome = request switch
        {
            _ when request.IsPasswordGrantType() =>
                await grants.PasswordAsync(request, context.Connection.RemoteIpAddress?.ToString(), cancellationToken),
            _ when request.IsClientCredentialsGrantType() => await grants.ClientCredentialsAsync(request, cancellationToken),
            _ when request.IsRefreshTokenGrantType() => await grants.RefreshAsync(
                request,
                (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal,
                cancellationToken),
            // OpenIddict refuses every other grant type before this point.
            _ => throw new InvalidOperationException($"Unexpected grant type '{request.GrantType}'."),
        };

        if (outcome.Error is { } error)
        {
            return Results.Forbid(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = error.Error,
                    [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = error.Description,
                }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        context.Items[TokenResponseScope.GrantedScopeItem] = outcome.Scope;
        return Results.SignIn(outcome.Principal!, properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
