using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;

namespace MlOps.AuthService.Tokens;

/// <summary>
/// <c>POST /connect/token</c> (RFC 6749 §3.2): OpenIddict reads and checks the request (its form, the client's
/// credentials, a refresh token, an authorization code and its PKCE verifier, a device code) and hands the grant to <see cref="TokenGrants"/>, which decides who the
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
            .WithDescription("Form-encoded grant_type=password | client_credentials | refresh_token | authorization_code (with its PKCE code_verifier) | urn:ietf:params:oauth:grant-type:device_code (RFC 6749, RFC 7636, RFC 8628).")
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
            _ when request.IsRefreshTokenGrantType() || request.IsAuthorizationCodeGrantType() || request.IsDeviceCodeGrantType() => await grants.RedeemAsync(
                request,
                (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal,
                cancellationToken),
            // OpenIddict refuses every other grant type before this point.
            _ => throw new InvalidOperationException($"Unexpected grant type '{request.GrantType}'."),
        };

        if (outcome.Error is { } error)
        {
            return ServerResults.Refuse(error.Error, error.Description);
        }

        context.Items[TokenResponseScope.GrantedScopeItem] = outcome.Scope;
        return ServerResults.Grant(outcome.Principal!);
    }
}
