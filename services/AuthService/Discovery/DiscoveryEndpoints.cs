using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MlOps.AuthService.Discovery;
using MlOps.AuthService.Keys;
using MlOps.AuthService.Tokens;
using MlOps.ServiceConventions.Auth;

namespace Microsoft.AspNetCore.Builder;

public static class DiscoveryEndpoints
{
    /// <summary>Verifiers may cache both documents briefly; a new key is published days before it signs.</summary>
    private const string CacheControl = "public, max-age=300";

    /// <summary>
    /// <c>GET /.well-known/openid-configuration</c> (OpenID Connect Discovery 1.0) and <c>GET /.well-known/jwks</c>
    /// (RFC 7517), both anonymous: what every service reads to validate the platform's tokens.
    /// </summary>
    public static void MapDiscovery(this WebApplication app)
    {
        var group = app.MapGroup("/.well-known")
            .WithTags("Discovery")
            .AllowAnonymous()
            .AddEndpointFilter(async (context, next) =>
            {
                var result = await next(context);
                context.HttpContext.Response.Headers.CacheControl = CacheControl;
                return result;
            });

        group.MapGet("/openid-configuration", GetConfiguration)
            .WithName("GetOpenIdConfiguration")
            .WithSummary("The token service's metadata")
            .WithDescription("OpenID provider metadata: issuer, token endpoint, key set, grant types, scopes and algorithms.");

        group.MapGet("/jwks", GetKeySetAsync)
            .WithName("GetJsonWebKeySet")
            .WithSummary("The public signing keys")
            .WithDescription("The keys that verify the platform's tokens: the current one, the next one and recently retired ones.");
    }

    internal static Ok<OpenIdConfiguration> GetConfiguration(IOptionsSnapshot<TokenServiceOptions> options)
    {
        var issuer = IssuerResolver.Resolve(options.Value);
        return TypedResults.Ok(new OpenIdConfiguration(
            Issuer: issuer,
            TokenEndpoint: $"{issuer}/connect/token",
            JwksUri: $"{issuer}/.well-known/jwks",
            GrantTypesSupported: ["password", "client_credentials", "refresh_token"],
            ScopesSupported: Scopes.All,
            TokenEndpointAuthMethodsSupported: ["client_secret_post", "client_secret_basic"],
            ResponseTypesSupported: ["token"],
            SubjectTypesSupported: ["public"],
            IdTokenSigningAlgValuesSupported: SigningKeyMaterial.SupportedAlgorithms));
    }

    internal static async Task<Ok<JsonWebKeySetDocument>> GetKeySetAsync(ISigningKeys keys, CancellationToken cancellationToken)
    {
        var published = await keys.GetPublishedKeysAsync(cancellationToken);
        // Only the public members, whatever the JsonWebKey object holds.
        return TypedResults.Ok(new JsonWebKeySetDocument([.. published.Select(key => new PublicJsonWebKey(
            Kty: key.Kty,
            Kid: key.Kid,
            Use: "sig",
            Alg: key.Alg,
            Crv: key.Kty == "EC" ? key.Crv : null,
            X: key.Kty == "EC" ? key.X : null,
            Y: key.Kty == "EC" ? key.Y : null,
            N: key.Kty == "RSA" ? key.N : null,
            E: key.Kty == "RSA" ? key.E : null))]));
    }
}
