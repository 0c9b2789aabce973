using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MlOps.AuthService.Clients;
using MlOps.AuthService.Persistence;

namespace MlOps.AuthService.Tokens;

/// <summary>The client credentials a token request carries, if any.</summary>
internal sealed record ClientCredentials(string ClientId, string ClientSecret, bool ViaBasic);

/// <summary>
/// Client authentication at the token endpoint (RFC 6749 §2.3.1): HTTP Basic with the form-encoded id and secret, or
/// <c>client_id</c> and <c>client_secret</c> in the body, not both. Secrets are checked against their PBKDF2 hash, which
/// compares in constant time; an unknown client costs the same hashing work as a known one.
/// </summary>
internal sealed class ClientAuthentication(AuthDbContext db, IPasswordHasher<Client> hasher)
{
    private static readonly Client Decoy = new()
    {
        ClientId = string.Empty,
        DisplayName = string.Empty,
        SecretHash = new PasswordHasher<Client>().HashPassword(null!, Secrets.New()),
        Scopes = [],
    };

    public static (ClientCredentials? Credentials, TokenError? Error) Read(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        var bodyId = form["client_id"].ToString();
        var bodySecret = form["client_secret"].ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            if (bodySecret.Length > 0)
            {
                return (null, TokenError.InvalidRequest("Authenticate the client one way only: HTTP Basic or client_secret in the body."));
            }

            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(AuthenticationHeaderValue.Parse(header).Parameter ?? string.Empty));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    return (null, TokenError.InvalidClient("The Basic credentials are malformed."));
                }

                return (new ClientCredentials(Uri.UnescapeDataString(decoded[..colon].Replace('+', ' ')), Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' ')), true), null);
            }
            catch (FormatException)
            {
                return (null, TokenError.InvalidClient("The Basic credentials are malformed."));
            }
        }

        if (bodySecret.Length > 0)
        {
            return bodyId.Length == 0
                ? (null, TokenError.InvalidRequest("client_secret needs its client_id."))
                : (new ClientCredentials(bodyId, bodySecret, false), null);
        }

        return (null, null);
    }

    /// <summary>The client, if the credentials are right and it is enabled; null otherwise, without saying which.</summary>
    public async Task<Client?> AuthenticateAsync(ClientCredentials credentials, CancellationToken cancellationToken)
    {
        var client = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.ClientId == credentials.ClientId, cancellationToken);
        var verdict = hasher.VerifyHashedPassword(client ?? Decoy, (client ?? Decoy).SecretHash, credentials.ClientSecret);
        return client is { Disabled: false } && verdict != PasswordVerificationResult.Failed ? client : null;
    }
}
