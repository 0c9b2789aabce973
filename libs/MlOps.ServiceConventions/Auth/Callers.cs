using System.Security.Claims;

namespace MlOps.ServiceConventions.Auth;

public static class Callers
{
    /// <summary>
    /// Who sent the request, as records name them (created by, moved by, deleted by): the user's name when the token
    /// carries one, else its subject, else its client.
    /// </summary>
    public static string CallerName(this ClaimsPrincipal user) =>
        user.FindFirstValue("name") ?? user.FindFirstValue(ClaimTypes.Name)
        ?? user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? user.FindFirstValue("client_id") ?? "unknown";
}
