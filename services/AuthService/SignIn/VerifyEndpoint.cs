using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using MlOps.AuthService.Clients;
using MlOps.AuthService.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace MlOps.AuthService.SignIn;

/// <summary>
/// <c>/connect/verify</c> (RFC 8628 §3.3): where a person approves a device's sign-in. The device (the command-line tool)
/// got a user code from <c>/connect/device</c> and shows it with this page's address; the person signs in, enters or
/// confirms the code, sees which client asks for which scopes, and approves or denies. The device, polling the token
/// endpoint, then gets its tokens (the scopes the person's roles and the client allow) or <c>access_denied</c>.
/// </summary>
internal static class VerifyEndpoint
{
    public const string Path = "/connect/verify";

    private const string Approve = "approve";

    private const string InvalidCode = "This code is not valid, or it has expired or been used. Check it, or ask the device for a new one.";

    public static void MapVerify(this WebApplication app)
    {
        app.MapGet(Path, ShowAsync).AllowAnonymous().WithTags("Sign-in").WithSummary("The device verification page (HTML): enter or confirm a user code");
        app.MapPost(Path, DecideAsync).AllowAnonymous().WithTags("Sign-in").WithSummary("Approve or deny a device's sign-in");
    }

    private static async Task<IResult> ShowAsync(
        HttpContext context, string? result, SignInSession session, ClientApplications clients, IAntiforgery antiforgery, CancellationToken cancellationToken)
    {
        if (await session.UserAsync(context) is null)
        {
            return SignInSession.RedirectToSignIn(Path + context.Request.QueryString);
        }

        if (result is not null)
        {
            return result == "approved"
                ? new HtmlPage("Device signed in", "<p>The device is signed in. You may close this page and go back to it.</p>")
                : new HtmlPage("Device not signed in", "<p>The device's sign-in was denied. You may close this page.</p>");
        }

        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The verification request did not go through OpenIddict.");
        if (string.IsNullOrEmpty(request.UserCode))
        {
            return CodeForm(error: null);
        }

        if (await DeviceAsync(context) is not { } device)
        {
            return CodeForm(InvalidCode);
        }

        var client = await clients.FindAsync(device.GetClaim(Claims.ClientId)!, cancellationToken);
        var tokens = antiforgery.GetAndStoreTokens(context);
        return new HtmlPage(
            "Sign in a device",
            $"""
            <p><b>{HtmlPage.Encode(client?.DisplayName ?? device.GetClaim(Claims.ClientId))}</b> asks to act on your behalf with:</p>
            <p class="code">{HtmlPage.Encode(string.Join(' ', device.GetScopes()))}</p>
            <p>Approve only if the device shows this code: <span class="code">{HtmlPage.Encode(request.UserCode)}</span></p>
            <form method="post" action="{Path}">
            <input type="hidden" name="{HtmlPage.Encode(tokens.FormFieldName)}" value="{HtmlPage.Encode(tokens.RequestToken)}">
            <input type="hidden" name="user_code" value="{HtmlPage.Encode(request.UserCode)}">
            <button type="submit" name="decision" value="{Approve}">Approve</button>
            <button type="submit" name="decision" value="deny">Deny</button>
            </form>
            """);
    }

    private static async Task<IResult> DecideAsync(
        HttpContext context, [FromForm] string? decision, SignInSession session, TokenGrants grants, CancellationToken cancellationToken)
    {
        if (await session.UserAsync(context) is not { } user)
        {
            return SignInSession.RedirectToSignIn(Path);
        }

        if (await DeviceAsync(context) is not { } device)
        {
            return CodeForm(InvalidCode);
        }

        if (decision != Approve)
        {
            return ServerResults.Refuse(Errors.AccessDenied, "The user denied the device's sign-in.", Path + "?result=denied");
        }

        var outcome = await grants.SignedInAsync(user, device.GetClaim(Claims.ClientId), [.. device.GetScopes()], cancellationToken);
        return outcome.Error is { } error
            ? ServerResults.Refuse(error.Error, error.Description, Path + "?result=refused")
            : ServerResults.Grant(outcome.Principal!, Path + "?result=approved");
    }

    /// <summary>
    /// The device request the user code stands for. OpenIddict answers an unknown or spent code with an empty principal,
    /// not a failure; a real one always names its client (anonymous device requests are refused: RequireNamedClient).
    /// </summary>
    private static async Task<System.Security.Claims.ClaimsPrincipal?> DeviceAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        return result.Succeeded && !string.IsNullOrEmpty(result.Principal.GetClaim(Claims.ClientId)) ? result.Principal : null;
    }

    private static HtmlPage CodeForm(string? error) => new(
        "Sign in a device",
        $"""
        {(error is null ? string.Empty : $"<p class=\"error\" role=\"alert\">{HtmlPage.Encode(error)}</p>")}
        <form method="get" action="{Path}">
        <label for="user_code">The code your device shows</label><input type="text" id="user_code" name="user_code" autocomplete="off" required autofocus>
        <button type="submit">Continue</button>
        </form>
        """,
        error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
}
