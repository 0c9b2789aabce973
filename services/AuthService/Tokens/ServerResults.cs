using Microsoft.AspNetCore.Authentication;
using OpenIddict.Server.AspNetCore;

namespace MlOps.AuthService.Tokens;

/// <summary>What a passthrough endpoint hands back to OpenIddict, which writes the protocol's answer.</summary>
internal static class ServerResults
{
    /// <summary>The RFC 6749 error OpenIddict answers (in the token response, or at the client's redirect URI).</summary>
    public static IResult Refuse(string error, string description, string? redirectUri = null) =>
        Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            })
            { RedirectUri = redirectUri },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    /// <summary>OpenIddict issues the tokens (or the code, or approves the device) for this principal.</summary>
    public static IResult Grant(System.Security.Claims.ClaimsPrincipal principal, string? redirectUri = null) =>
        Results.SignIn(
            principal,
            redirectUri is null ? null : new AuthenticationProperties { RedirectUri = redirectUri },
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
}
