using System.Security.Cryptography;

using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MlOps.TestSupport;

/// <summary>
/// A token issuer on a loopback port that follows the contract the platform's token service will: an OpenID discovery
/// document naming a JWKS, and tokens signed by keys published there. Tests sign their own tokens with it.
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    public const string Audience = "mlops";

    private static readonly string[] SigningAlgorithms = ["RS256", "ES256"];

    private readonly WebApplication _app;
    private readonly List<SecurityKey> _published = [];
    private readonly Lock _gate = new();

    private TestIssuer(WebApplication app) => _app = app;

    public string Issuer => _app.Urls.Single();

    public static async Task<TestIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var issuer = new TestIssuer(app);
        app.MapGet("/.well-known/openid-configuration", (HttpContext context) => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer.Issuer,
            ["jwks_uri"] = issuer.Issuer + "/.well-known/jwks",
            ["token_endpoint"] = issuer.Issuer + "/connect/token",
            ["id_token_signing_alg_values_supported"] = SigningAlgorithms,
        }));
        app.MapGet("/.well-known/jwks", () => Results.Text(issuer.JwksJson(), "application/json"));
        await app.StartAsync();
        return issuer;
    }

    public SecurityKey NewRsaKey(bool publish = true) => Add(new RsaSecurityKey(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N") }, publish);

    public SecurityKey NewEcdsaKey(bool publish = true) =>
        Add(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = Guid.NewGuid().ToString("N") }, publish);

    public string CreateToken(
        SecurityKey key,
        string scope = "mlops.read",
        string subject = "alice",
        string? issuer = null,
        string audience = Audience,
        DateTime? expires = null,
        DateTime? notBefore = null)
    {
        var algorithm = key is ECDsaSecurityKey ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256;
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            IssuedAt = (notBefore ?? now).AddMinutes(-1),
            NotBefore = notBefore ?? now.AddMinutes(-1),
            Expires = expires ?? now.AddMinutes(15),
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["scope"] = scope, ["client_id"] = "tests" },
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with otherwise valid claims.</summary>
    public string CreateUnsignedToken(string scope = "mlops.read")
    {
        var now = DateTimeOffset.UtcNow;
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = "mallory",
            ["scope"] = scope,
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(15).ToUnixTimeSeconds(),
        }));
        return $"{header}.{payload}.";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private SecurityKey Add(SecurityKey key, bool publish)
    {
        if (publish)
        {
            lock (_gate)
            {
                _published.Add(key);
            }
        }

        return key;
    }

    private string JwksJson()
    {
        lock (_gate)
        {
            var keys = _published.Select(key =>
            {
                var jwk = JsonWebKeyConverter.ConvertFromSecurityKey(key);
                return key switch
                {
                    RsaSecurityKey => (object)new { kty = "RSA", kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E },
                    _ => new { kty = "EC", kid = jwk.Kid, use = "sig", alg = "ES256", crv = jwk.Crv, x = jwk.X, y = jwk.Y },
                };
            });
            return JsonSerializer.Serialize(new { keys });
        }
    }

}
