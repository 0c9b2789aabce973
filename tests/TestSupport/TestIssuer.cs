using System.Net;
using System.Security.Cryptography;
using System.Text;
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
    private readonly Dictionary<string, (string Secret, string Scopes)> _clients = new(StringComparer.Ordinal);
    private readonly Lock _tokenKeyGate = new();
    private SecurityKey? _tokenEndpointKey;
    private int _tokensIssued;

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
        app.MapPost("/connect/token", (Func<HttpContext, Task<IResult>>)issuer.TokenEndpointAsync);
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

    /// <summary>How long tokens from <c>POST /connect/token</c> live (<c>expires_in</c>).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many tokens <c>POST /connect/token</c> has issued.</summary>
    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    /// <summary>A client that may use the client_credentials grant at <c>POST /connect/token</c>, with the scopes it may get.</summary>
    public void RegisterClient(string clientId, string secret, string scopes = "mlops.read")
    {
        lock (_gate)
        {
            _clients[clientId] = (secret, scopes);
        }
    }

    /// <summary>
    /// Registers the platform's own client and asks for its first token. The issuer makes its token-endpoint key on the
    /// first request: making it now means the key sets services read at start-up already hold it (a service fetches
    /// keys again for an unknown kid at most every few minutes).
    /// </summary>
    public async Task RegisterServicesClientAsync(string clientId, string secret, string scopes)
    {
        RegisterClient(clientId, secret, scopes);
        using var tokens = new HttpClient();
        using var warmUp = await tokens.PostAsync(new Uri(Issuer + "/connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        warmUp.EnsureSuccessStatusCode();
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

    /// <summary>
    /// RFC 6749 token endpoint for the client_credentials grant: the client authenticates with HTTP Basic (§2.3.1,
    /// form-urlencoded id and secret) or in the body; the answer is a signed JWT for the requested scopes (all the
    /// client's when none are asked for) or an RFC 6749 error.
    /// </summary>
    private async Task<IResult> TokenEndpointAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return TokenError("invalid_request", "The request must be application/x-www-form-urlencoded.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var (clientId, secret) = ClientCredentialsOf(context.Request, form);
        if (clientId is null)
        {
            return TokenError("invalid_request", "Use exactly one client authentication method.");
        }

        (string Secret, string Scopes) client;
        bool known;
        lock (_gate)
        {
            known = _clients.TryGetValue(clientId, out client);
        }

        if (!known || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(client.Secret), Encoding.UTF8.GetBytes(secret ?? "")))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"mlops\"";
            return TokenError("invalid_client", "Client authentication failed.", StatusCodes.Status401Unauthorized);
        }

        if (form["grant_type"] != "client_credentials")
        {
            return TokenError("unsupported_grant_type", "Only client_credentials is supported here.");
        }

        var allowed = client.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var requested = form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (requested.Except(allowed, StringComparer.Ordinal).Any())
        {
            return TokenError("invalid_scope", "The client may not ask for these scopes.");
        }

        var scope = string.Join(' ', requested.Length == 0 ? allowed : requested);
        SecurityKey key;
        lock (_tokenKeyGate)
        {
            key = _tokenEndpointKey ??= NewRsaKey();
        }

        var now = DateTime.UtcNow;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + TokenLifetime,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = clientId,
                ["client_id"] = clientId,
                ["scope"] = scope,
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
        Interlocked.Increment(ref _tokensIssued);
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = token,
            ["token_type"] = "Bearer",
            ["expires_in"] = (long)TokenLifetime.TotalSeconds,
            ["scope"] = scope,
        });
    }

    private static (string? ClientId, string? Secret) ClientCredentialsOf(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        var inBody = form.ContainsKey("client_id");
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            if (inBody)
            {
                return (null, null);
            }

            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                return colon < 0
                    ? ("", null)
                    : (WebUtility.UrlDecode(decoded[..colon]), WebUtility.UrlDecode(decoded[(colon + 1)..]));
            }
            catch (FormatException)
            {
                return ("", null);
            }
        }

        return inBody ? (form["client_id"].ToString(), form["client_secret"].ToString()) : ("", null);
    }

    private static IResult TokenError(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);

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
