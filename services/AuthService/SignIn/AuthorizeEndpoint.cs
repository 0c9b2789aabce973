using Microsoft.AspNetCore;
using MlOps.AuthService.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace MlOps.AuthService.SignIn;

/// <summary>
/// <c>/connect/authorize</c> (RFC 6749 §4.1 with PKCE, RFC 7636): OpenIddict checks the client, its exact redirect URI
/// and the S256 code challenge, then hands the request here. A person not signed in goes to the sign-in page and comes
/// back; a signed-in one is granted the scopes their roles and the client allow (platform clients are first-party, so
/// there is no consent screen) and OpenIddict answers the client's redirect URI with a code.
/// </summary>
internal static class AuthorizeEndpoint
{
    public const string Path = "/connect/authorize";

    public static void MapAuthorize(this WebApplication app)
    {
        app.MapGet(Path, AuthorizeAsync).AllowAnonymous().WithTags("Sign-in")
            .WithSummary("OAuth 2.0 authorization endpoint: code flow with PKCE (S256); sends a person who is not signed in to the sign-in page");
        app.MapPost(Path, AuthorizeAsync).AllowAnonymous().WithTags("Sign-in").WithSummary("The authorization endpoint, its parameters form-encoded");
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext context, SignInSession session, TokenGrants grants, CancellationToken cancellationToken)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The authorization request did not go through OpenIddict.");
        var user = await session.UserAsync(context);
        if (user is null)
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return ServerResults.Refuse(Errors.LoginRequired, "The user is not signed in.");
            }

            // Back to this request after signing in: its parameters as a query (a POSTed request included).
            var parameters = request.GetParameters().Select(parameter => KeyValuePair.Create(parameter.Key, (string?)parameter.Value.ToString()));
            return SignInSession.RedirectToSignIn(Path + QueryString.Create(parameters));
        }

        var outcome = await grants.SignedInAsync(user, request.ClientId, [.. request.GetScopes()], cancellationToken);
        return outcome.Error is { } error
            ? ServerResults.Refuse(error.Error, error.Description)
            : ServerResults.Grant(outcome.Principal!);
    }
}
