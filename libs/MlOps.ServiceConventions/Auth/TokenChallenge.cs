using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MlOps.ServiceConventions.Auth;

/// <summary>
/// Says why a token was refused, in the 401's <c>WWW-Authenticate</c> <c>error_description</c> (RFC 6750 §3) and in
/// its ProblemDetails <c>detail</c>. A wrong audience names the audience the token carried and the one expected
/// (the library's own text reads "The audience '(null)' is invalid"); the caller sent that token, so nothing leaks.
/// </summary>
internal static class TokenChallenge
{
    /// <summary>Where the description waits for the ProblemDetails body that the status-code pages write.</summary>
    public const string DetailItem = "MlOps.TokenChallenge.Detail";

    public static Task DescribeAsync(JwtBearerChallengeContext context, string expectedAudience)
    {
        if (context.AuthenticateFailure is SecurityTokenInvalidAudienceException)
        {
            context.ErrorDescription = AudiencesOf(context.Request.Headers.Authorization.ToString()) is { Count: > 0 } audiences
                ? $"The token is for audience '{string.Join("', '", audiences)}'; this platform accepts tokens for '{expectedAudience}'."
                : $"The token names no audience; this platform accepts tokens for '{expectedAudience}'.";
        }

        if (!string.IsNullOrEmpty(context.ErrorDescription))
        {
            context.HttpContext.Items[DetailItem] = context.ErrorDescription;
        }

        return Task.CompletedTask;
    }

    /// <summary>The <c>aud</c> of the bearer token as sent (its signature was checked before the audience was).</summary>
    private static List<string>? AudiencesOf(string authorization)
    {
        const string Bearer = "Bearer ";
        if (!authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            return [.. new JsonWebToken(authorization[Bearer.Length..].Trim()).Audiences];
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
