using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MlOps.ServiceConventions.Auth;
using MlOps.TestSupport;

namespace MlOps.ServiceConventions.Tests.Auth;

/// <summary>
/// The forged and stolen tokens issue 4 lists, sent to an endpoint that requires <c>mlops.read</c> on a service whose
/// authority publishes one RSA key. Every one is refused: 401, or 403 for a genuine token without the scope. Tokens
/// are assembled by hand, as an attacker would, so nothing a library adds or checks on the way out hides a hole.
/// </summary>
public sealed class TokenAttackTests : IAsyncLifetime
{
    private TestIssuer _issuer = null!;
    private RsaSecurityKey _key = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _issuer = await TestIssuer.StartAsync();
        _key = (RsaSecurityKey)_issuer.NewRsaKey();
        _app = await TestApp.StartAsync(
            web =>
            {
                web.MapGet("/read", (HttpContext context) => context.User.FindFirst("sub")!.Value).RequireAuthorization(Scopes.Read);
                web.MapGet("/admin", () => "admin").RequireAuthorization(Scopes.Admin);
            },
            new Dictionary<string, string?> { ["Auth:Authority"] = _issuer.Issuer });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    [Fact]
    public async Task A_genuine_token_built_the_same_way_is_accepted_so_each_refusal_below_is_the_attack()
    {
        using var response = await GetAsync("/read", SignRs256(_key, Claims()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("alice", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    public async Task An_unsigned_alg_none_token_is_refused(string alg)
    {
        var header = Json(new { alg, typ = "JWT", kid = _key.KeyId });

        using var unsigned = await GetAsync("/read", $"{header}.{Json(Claims())}.");
        using var withForeignSignature = await GetAsync("/read", $"{header}.{Json(Claims())}.{SignRs256(_key, Claims()).Split('.')[2]}");

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withForeignSignature.StatusCode);
    }

    [Theory]
    [InlineData("spki-pem")]
    [InlineData("pkcs1-pem")]
    [InlineData("spki-der")]
    [InlineData("pkcs1-der")]
    public async Task An_HS256_token_keyed_with_the_published_RSA_public_key_is_refused(string form)
    {
        // What the attacker has: the JWKS. The public key rebuilt from it is the HMAC secret.
        using var published = await PublishedRsaKeyAsync();
        var secret = form switch
        {
            "spki-pem" => Encoding.ASCII.GetBytes(published.ExportSubjectPublicKeyInfoPem() + "\n"),
            "pkcs1-pem" => Encoding.ASCII.GetBytes(published.ExportRSAPublicKeyPem() + "\n"),
            "spki-der" => published.ExportSubjectPublicKeyInfo(),
            _ => published.ExportRSAPublicKey(),
        };
        var signingInput = $"{Json(new { alg = "HS256", typ = "JWT", kid = _key.KeyId })}.{Json(Claims())}";
        var token = $"{signingInput}.{Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)))}";

        using var response = await GetAsync("/read", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // The forgery itself is sound: a validator that took any algorithm with the key bytes as secret would accept it.
        var naive = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(secret),
            ValidIssuer = _issuer.Issuer,
            ValidAudience = TestIssuer.Audience,
        });
        Assert.True(naive.IsValid, naive.Exception?.Message);
    }

    [Fact]
    public async Task A_token_from_another_issuer_signed_with_a_key_that_issuer_publishes_is_refused()
    {
        await using var other = await TestIssuer.StartAsync();
        var otherKey = (RsaSecurityKey)other.NewRsaKey();

        // Its own name, its own published key: valid at the other issuer, not here.
        using var asItself = await GetAsync("/read", SignRs256(otherKey, Claims(issuer: other.Issuer)));
        // Claiming our issuer's name, or even our key's kid, does not make its key ours.
        using var claimingOurs = await GetAsync("/read", SignRs256(otherKey, Claims()));
        using var underOurKid = await GetAsync("/read", SignRs256(otherKey, Claims(), kid: _key.KeyId));

        Assert.Equal(HttpStatusCode.Unauthorized, asItself.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, claimingOurs.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, underOurKid.StatusCode);
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var now = DateTimeOffset.UtcNow;

        // Five minutes past exp: well beyond the tolerated clock skew (30 s).
        using var response = await GetAsync("/read", SignRs256(_key, Claims(notBefore: now.AddMinutes(-20), expires: now.AddMinutes(-5))));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_token_whose_payload_was_changed_after_signing_is_refused()
    {
        var genuine = SignRs256(_key, Claims()).Split('.');

        var otherSubject = Tamper(genuine, payload => payload["sub"] = "admin");
        var moreScope = Tamper(genuine, payload => payload["scope"] = "mlops.read mlops.admin");
        var laterExpiry = Tamper(genuine, payload => payload["exp"] = DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeSeconds());

        using var subjectResponse = await GetAsync("/read", otherSubject);
        using var scopeResponse = await GetAsync("/admin", moreScope);
        using var expiryResponse = await GetAsync("/read", laterExpiry);

        Assert.Equal(HttpStatusCode.Unauthorized, subjectResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, scopeResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expiryResponse.StatusCode);
    }

    [Fact]
    public async Task A_genuine_token_without_the_scope_is_forbidden_not_unauthenticated()
    {
        using var response = await GetAsync("/read", SignRs256(_key, Claims(scope: "mlops.predict mlops.train")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_token_without_an_audience_is_refused()
    {
        var claims = Claims();
        claims.Remove("aud");

        using var response = await GetAsync("/read", SignRs256(_key, claims));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private Dictionary<string, object> Claims(
        string scope = Scopes.Read, string? issuer = null, DateTimeOffset? notBefore = null, DateTimeOffset? expires = null)
    {
        var now = DateTimeOffset.UtcNow;
        return new Dictionary<string, object>
        {
            ["iss"] = issuer ?? _issuer.Issuer,
            ["aud"] = TestIssuer.Audience,
            ["sub"] = "alice",
            ["scope"] = scope,
            ["iat"] = (notBefore ?? now.AddMinutes(-1)).ToUnixTimeSeconds(),
            ["nbf"] = (notBefore ?? now.AddMinutes(-1)).ToUnixTimeSeconds(),
            ["exp"] = (expires ?? now.AddMinutes(15)).ToUnixTimeSeconds(),
        };
    }

    private static string SignRs256(RsaSecurityKey key, Dictionary<string, object> claims, string? kid = null)
    {
        var signingInput = $"{Json(new { alg = "RS256", typ = "JWT", kid = kid ?? key.KeyId })}.{Json(claims)}";
        var signature = key.Rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64UrlEncoder.Encode(signature)}";
    }

    /// <summary>Rewrites the payload of a signed token and keeps its header and signature.</summary>
    private static string Tamper(string[] parts, Action<JsonObject> change)
    {
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        change(payload);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";
    }

    private async Task<RSA> PublishedRsaKeyAsync()
    {
        using var http = new HttpClient();
        using var jwks = JsonDocument.Parse(await http.GetStringAsync(new Uri(_issuer.Issuer + "/.well-known/jwks")));
        var jwk = jwks.RootElement.GetProperty("keys").EnumerateArray().Single(key => key.GetProperty("kid").GetString() == _key.KeyId);
        return RSA.Create(new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(jwk.GetProperty("n").GetString()),
            Exponent = Base64UrlEncoder.DecodeBytes(jwk.GetProperty("e").GetString()),
        });
    }

    private static string Json<T>(T value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));

    private async Task<HttpResponseMessage> GetAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _app.Client.SendAsync(request);
    }
}
