using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using MlOps.AuthService.Users;

namespace MlOps.AuthService.SignIn;

/// <summary>
/// <c>/connect/signin</c>: the page where a person signs in with their user name and password before the authorization
/// endpoint (a web app's sign-in) or the verification page (a device's) goes on. The form is protected against
/// cross-site posts (antiforgery); failures are counted and locked like the password grant's, with the same answer.
/// </summary>
internal static class SignInEndpoints
{
    public const string Path = "/connect/signin";

    public static void MapSignIn(this WebApplication app)
    {
        app.MapGet(Path, Show).AllowAnonymous().WithTags("Sign-in").WithSummary("The sign-in page (HTML)");
        app.MapPost(Path, SignInAsync).AllowAnonymous().WithTags("Sign-in")
            .WithSummary("The sign-in form: user name, password, the page's antiforgery field; then back to returnUrl");
    }

    private static HtmlPage Show(HttpContext context, string? returnUrl, IAntiforgery antiforgery) =>
        Form(context, antiforgery, LocalOrNull(returnUrl), userName: null, error: null);

    private static async Task<IResult> SignInAsync(
        HttpContext context,
        [FromForm] string? userName,
        [FromForm] string? password,
        [FromForm] string? returnUrl,
        PasswordCheck passwords,
        IAntiforgery antiforgery,
        CancellationToken cancellationToken)
    {
        var local = LocalOrNull(returnUrl);
        var user = await passwords.CheckAsync(userName, password, context.Connection.RemoteIpAddress?.ToString(), cancellationToken);
        if (user is null)
        {
            return Form(context, antiforgery, local, userName, PasswordCheck.Failed) with { StatusCode = StatusCodes.Status401Unauthorized };
        }

        await SignInSession.SignInAsync(context, user);
        return local is not null
            ? Results.Redirect(local)
            : new HtmlPage("Signed in", $"<p>You are signed in as <b>{HtmlPage.Encode(user.UserName)}</b>. You may close this page.</p>");
    }

    private static HtmlPage Form(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? userName, string? error)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return new HtmlPage(
            "Sign in to MlOps",
            $"""
            {(error is null ? string.Empty : $"<p class=\"error\" role=\"alert\">{HtmlPage.Encode(error)}</p>")}
            <form method="post" action="{Path}">
            <input type="hidden" name="{HtmlPage.Encode(tokens.FormFieldName)}" value="{HtmlPage.Encode(tokens.RequestToken)}">
            <input type="hidden" name="returnUrl" value="{HtmlPage.Encode(returnUrl)}">
            <label for="userName">User name</label><input type="text" id="userName" name="userName" value="{HtmlPage.Encode(userName)}" autocomplete="username" required autofocus>
            <label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button>
            </form>
            """);
    }

    /// <summary>Only a path on this site is followed after signing in (no open redirect): "/x", never "//host" or "/\host".</summary>
    public static string? LocalOrNull(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl[0] == '/' && (returnUrl.Length == 1 || (returnUrl[1] != '/' && returnUrl[1] != '\\'))
            ? returnUrl
            : null;
}
