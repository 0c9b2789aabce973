using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MlOps.ServiceConventions.Auth;
using MlOps.TestSupport;

namespace MlOps.ServiceConventions.Tests.Auth;

/// <summary>The signature of a token is verified once; what is remembered never outlives the token or five minutes.</summary>
public sealed class CachingTokenHandlerTests
{
    private const string Issuer = "https://issuer.test";
    private readonly ECDsaSecurityKey _key = new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "k1" };

    [Fact]
    public async Task A_token_seen_before_is_accepted_without_its_key_and_a_new_token_is_not()
    {
        var handler = new CachingTokenHandler(new ManualTimeProvider(DateTimeOffset.UtcNow));
        var token = Token(DateTime.UtcNow.AddMinutes(10));

        var first = await handler.ValidateTokenAsync(token, Parameters(_key));
        var again = await handler.ValidateTokenAsync(token, Parameters());
        var stranger = await handler.ValidateTokenAsync(Token(DateTime.UtcNow.AddMinutes(10), subject: "mallory"), Parameters());

        Assert.True(first.IsValid, first.Exception?.Message);
        Assert.True(again.IsValid);
        Assert.Equal("alice", again.ClaimsIdentity.FindFirst("sub")!.Value);
        Assert.NotSame(first.ClaimsIdentity, again.ClaimsIdentity);
        Assert.False(stranger.IsValid);
    }

    [Fact]
    public async Task What_is_remembered_is_verified_again_after_five_minutes()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var handler = new CachingTokenHandler(clock);
        var token = Token(DateTime.UtcNow.AddHours(1));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters(_key))).IsValid);

        clock.Advance(CachingTokenHandler.MaxAge - TimeSpan.FromSeconds(1));
        var justBefore = await handler.ValidateTokenAsync(token, Parameters());
        clock.Advance(TimeSpan.FromSeconds(2));
        var after = await handler.ValidateTokenAsync(token, Parameters());

        Assert.True(justBefore.IsValid);
        Assert.False(after.IsValid);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_expires()
    {
        var handler = new CachingTokenHandler(TimeProvider.System);
        var token = Token(DateTime.UtcNow.AddSeconds(2));
        var first = await handler.ValidateTokenAsync(token, Parameters(_key));

        // The token's lifetime is checked against the real clock: ask until it is refused, within a deadline.
        var expired = await Eventually.ReturnsAsync(
            () => handler.ValidateTokenAsync(token, Parameters(_key)),
            result => !result.IsValid,
            TimeSpan.FromSeconds(30),
            "the remembered token being refused after it expires");

        Assert.True(first.IsValid, first.Exception?.Message);
        Assert.False(expired.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(expired.Exception);
    }

    [Fact]
    public async Task A_refusal_is_not_remembered()
    {
        var handler = new CachingTokenHandler(new ManualTimeProvider(DateTimeOffset.UtcNow));
        var token = Token(DateTime.UtcNow.AddMinutes(10));
        var otherAudience = Parameters(_key);
        otherAudience.ValidAudience = "someone-else";

        var refused = await handler.ValidateTokenAsync(token, otherAudience);
        var accepted = await handler.ValidateTokenAsync(token, Parameters(_key));

        Assert.False(refused.IsValid);
        Assert.True(accepted.IsValid, accepted.Exception?.Message);
    }

    private string Token(DateTime expires, string subject = "alice") =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = "mlops",
            NotBefore = DateTime.UtcNow.AddMinutes(-1),
            IssuedAt = DateTime.UtcNow.AddMinutes(-1),
            Expires = expires,
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["scope"] = "mlops.read" },
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha256),
        });

    private static TokenValidationParameters Parameters(params SecurityKey[] keys) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = "mlops",
        IssuerSigningKeys = keys,
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        ClockSkew = TimeSpan.Zero,
        RequireExpirationTime = true,
    };
}
