using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using MlOps.AuthService.Users;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace MlOps.AuthService.SignIn;

/// <summary>
/// Who is signed in on the token service's own pages: a cookie (path <c>/connect</c>, HTTP-only, SameSite=Lax) that
/// holds the user's id and security stamp, set by the sign-in page and read by the authorization and verification
/// endpoints. A user disabled, or whose password was reset, since signing in is signed out.
/// </summary>
internal sealed class SignInSession(UserManager<User> users)
{
    public const string Scheme = "mlops.signin";

    private const string StampClaim = "stamp";

    public static void Add(IServiceCollection services, TimeSpan lifetime)
    {
        services.AddScoped<SignInSession>();
        services.AddAuthentication().AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = Scheme;
            cookie.Cookie.Path = "/connect";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = lifetime;
            cookie.SlidingExpiration = false;
        });
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "mlops.antiforgery";
            antiforgery.Cookie.Path = "/connect";
        });
    }

    /// <summary>The signed-in user, or null when nobody is, or the user may no longer sign in.</summary>
    public async Task<User?> UserAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(Scheme);
        if (result.Principal?.FindFirstValue(Claims.Subject) is not { } id || await users.FindByIdAsync(id) is not { } user)
        {
            return null;
        }

        return user.Disabled || result.Principal.FindFirstValue(StampClaim) != user.SecurityStamp ? null : user;
    }

    public static Task SignInAsync(HttpContext context, User user)
    {
        var identity = new ClaimsIdentity(Scheme, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, user.Id.ToString()));
        identity.AddClaim(new Claim(Claims.Name, user.UserName ?? string.Empty));
        identity.AddClaim(new Claim(StampClaim, user.SecurityStamp ?? string.Empty));
        return context.SignInAsync(Scheme, new ClaimsPrincipal(identity));
    }

    /// <summary>To the sign-in page, which comes back here afterwards. Relative, so it works behind the gateway too.</summary>
    public static IResult RedirectToSignIn(string returnUrl) =>
        Results.Redirect(SignInEndpoints.Path + QueryString.Create("returnUrl", returnUrl));
}
