using System.Security.Claims;

namespace MlOps.ServiceDefaults.Auth;

public static class Callers
{
    /// <summary>Who sent the request, as records name them (created by, moved by): the token's subject, else its client.</summary>
    public static string CallerName(this ClaimsPrincipal user) =>
        user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("client_id") ?? "unknown";
}
