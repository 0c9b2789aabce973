using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MlOps.AuthService.Keys;
using MlOps.TestSupport;
using Npgsql;

namespace MlOps.AuthService.Tests.Keys;

public sealed class SigningKeyTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    [Fact]
    public async Task Private_key_is_stored_protected_and_opens_only_through_the_signing_key_protector()
    {
        var database = await AuthServiceHost.NewDatabaseAsync(postgres);
        await using var service = AuthServiceHost.Create(database);
        var kid = await service.CurrentKidAsync();

        var row = Assert.Single(await AuthServiceHost.ReadKeysAsync(database));
        Assert.Equal(kid, row.Kid);
        Assert.Equal("ES256", row.Algorithm);
        var publicJwk = JsonDocument.Parse(row.PublicJwk).RootElement;
        Assert.False(publicJwk.TryGetProperty("d", out _));
        var stored = Convert.FromBase64String(row.ProtectedKey);
        using (var notAKey = ECDsa.Create())
        {
            Assert.ThrowsAny<CryptographicException>(() => notAKey.ImportPkcs8PrivateKey(stored, out _));
        }

        var protection = service.Services.GetRequiredService<IDataProtectionProvider>();
        Assert.ThrowsAny<CryptographicException>(() => protection.CreateProtector("some.other.purpose").Unprotect(stored));
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(protection.CreateProtector(SigningKeyStore.ProtectorPurpose).Unprotect(stored), out _);
        Assert.Equal(publicJwk.GetProperty("x").GetString(), Base64UrlEncoder.Encode(key.ExportParameters(false).Q.X));

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM auth.data_protection_keys WHERE xml LIKE '<key %'", connection);
        Assert.True((long)(await count.ExecuteScalarAsync())! >= 1, "the data protection key ring lives in the database");
    }

    [Fact]
    public async Task Two_instances_starting_together_on_one_database_create_one_key_and_agree_on_it()
    {
        var database = await AuthServiceHost.NewDatabaseAsync(postgres);
        await using var first = AuthServiceHost.Create(database);
        await using var second = AuthServiceHost.Create(database);

        var kids = await Task.WhenAll(
            Task.Run(() => first.CurrentKidAsync()),
            Task.Run(() => second.CurrentKidAsync()));

        Assert.Equal(kids[0], kids[1]);
        Assert.Equal(kids[0], Assert.Single(await AuthServiceHost.ReadKeysAsync(database)).Kid);
        Assert.Equal(await first.PublishedKidsAsync(), await second.PublishedKidsAsync());
    }

    [Fact]
    public async Task Next_key_signs_after_the_period_and_the_previous_stays_published_for_one_token_lifetime()
    {
        var database = await AuthServiceHost.NewDatabaseAsync(postgres);
        var clock = ManualTimeProvider.StartingNow();
        var start = clock.GetUtcNow();
        await using var service = AuthServiceHost.Create(database, clock);

        var first = await service.CurrentKidAsync();
        Assert.Equal([first], await service.PublishedKidsAsync());

        clock.Advance(TimeSpan.FromDays(27)); // not yet within the two days of publish-ahead
        Assert.Equal([first], await service.PublishedKidsAsync());

        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1)); // now within them: the next key is published
        var published = await service.PublishedKidsAsync(until: kids => kids.Count == 2);
        var keys = await AuthServiceHost.ReadKeysAsync(database);
        Assert.Equal(2, keys.Count);
        var next = keys[1].Kid;
        Assert.Equal(start + Lifetime, keys[1].ActivatesAt);
        Assert.Equal(new[] { first, next }.Order(StringComparer.Ordinal), published);
        Assert.Equal(first, await service.CurrentKidAsync());

        clock.Advance(start + Lifetime - clock.GetUtcNow()); // the next key's turn, to the second
        Assert.Equal(next, await service.CurrentKidAsync());
        Assert.Contains(first, await service.PublishedKidsAsync());

        clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(50)); // tokens it signed may still be valid
        Assert.Contains(first, await service.PublishedKidsAsync());

        clock.Advance(TimeSpan.FromSeconds(11)); // 15 min + 1 min skew after it stopped signing
        Assert.Equal([next], await service.PublishedKidsAsync(until: kids => kids.Count == 1));
        Assert.Equal(next, await service.CurrentKidAsync());
    }

    [Fact]
    public async Task Issued_tokens_are_signed_by_the_key_whose_turn_it_is_once_its_time_comes()
    {
        var clock = ManualTimeProvider.StartingNow();
        var start = clock.GetUtcNow();
        await using var host = await Tokens.TokenServiceHost.StartAsync(postgres, clock);
        var first = await KidOfIssuedTokenAsync(host);

        clock.Advance(TimeSpan.FromDays(28) + TimeSpan.FromHours(1)); // the next key is published, not yet signing
        await host.Factory.PublishedKidsAsync(until: kids => kids.Count == 2);
        Assert.Equal(first, await KidOfIssuedTokenAsync(host));

        clock.Advance(start + Lifetime - clock.GetUtcNow()); // its turn: with the same keys in the database
        var next = await Eventually.ReturnsAsync(() => KidOfIssuedTokenAsync(host), kid => kid != first, TimeSpan.FromSeconds(30), "a token signed by the next key");

        Assert.Contains(next, await host.Factory.PublishedKidsAsync());
        Assert.Equal(next, await host.Factory.CurrentKidAsync());
    }

    private static async Task<string> KidOfIssuedTokenAsync(Tokens.TokenServiceHost host) =>
        new JsonWebToken((await host.PasswordTokenAsync()).GetProperty("access_token").GetString()).Kid;

    [Fact]
    public async Task Key_set_is_served_from_memory_between_database_reads()
    {
        var database = await AuthServiceHost.NewDatabaseAsync(postgres);
        var clock = ManualTimeProvider.StartingNow();
        await using var service = AuthServiceHost.Create(database, clock, backgroundRotation: false);
        var kid = await service.CurrentKidAsync();

        // A key that appears behind the service's back (as from another replica) is seen only after the cache expires.
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var copy = new NpgsqlCommand("""
                INSERT INTO auth.signing_keys (kid, algorithm, protected_key, public_jwk, created_at, activates_at, expires_at)
                SELECT 'other-replica', algorithm, protected_key, replace(public_jwk, kid, 'other-replica'), created_at,
                       activates_at + interval '10 days', expires_at + interval '10 days'
                FROM auth.signing_keys
                """, connection);
            await copy.ExecuteNonQueryAsync();
        }

        Assert.DoesNotContain("other-replica", await service.PublishedKidsAsync());
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Contains("other-replica", await service.PublishedKidsAsync(until: kids => kids.Contains("other-replica")));
        Assert.Equal(kid, await service.CurrentKidAsync());
    }

    [Fact]
    public async Task Keeps_signing_with_the_loaded_keys_while_the_database_is_gone()
    {
        var name = "keys_" + Guid.NewGuid().ToString("N")[..12];
        var database = await postgres.CreateDatabaseAsync(name);
        var clock = ManualTimeProvider.StartingNow();
        await using var service = AuthServiceHost.Create(database, clock, backgroundRotation: false);
        var kid = await service.CurrentKidAsync();
        // Open first: the bootstrap also reads the token encryption key, and the endpoints stay closed without it.
        Assert.Equal([kid], await service.PublishedKidsAsync());

        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }

        clock.Advance(TimeSpan.FromMinutes(5)); // past the cache: the refresh fails
        Assert.Equal(kid, await service.CurrentKidAsync());
        Assert.Equal([kid], await service.PublishedKidsAsync());
    }

    [Fact]
    public void Data_protection_does_not_load_its_key_ring_before_the_schema_exists()
    {
        using var service = AuthServiceHost.Create("Host=127.0.0.1;Port=9;Database=nowhere;Username=postgres;Timeout=1");

        var hosted = service.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Select(s => s.GetType().FullName).ToList();

        Assert.Contains(typeof(SigningKeyRotation).FullName, hosted);
        Assert.DoesNotContain("Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService", hosted);
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public async Task Token_signed_with_the_current_credentials_validates_against_the_published_key_set(string algorithm)
    {
        var database = await AuthServiceHost.NewDatabaseAsync(postgres);
        await using var service = AuthServiceHost.Create(
            database, settings: new Dictionary<string, string> { ["SigningKeys:Algorithm"] = algorithm });
        using var client = service.CreateClient();
        var token = await TokenSigning.CreateTokenAsync(service);
        var keySet = new JsonWebKeySet(await (await client.GetWhenOpenAsync("/.well-known/jwks")).Content.ReadAsStringAsync());

        var handler = new JsonWebTokenHandler();
        var valid = await handler.ValidateTokenAsync(token, TokenSigning.Parameters(keySet, AuthServiceHost.Issuer));
        var wrongIssuer = await handler.ValidateTokenAsync(token, TokenSigning.Parameters(keySet, "https://elsewhere.test"));
        var wrongAudience = await handler.ValidateTokenAsync(token, TokenSigning.Parameters(keySet, AuthServiceHost.Issuer, audience: "other"));

        Assert.True(valid.IsValid, valid.Exception?.ToString());
        Assert.Equal(algorithm, ((JsonWebToken)valid.SecurityToken).Alg);
        Assert.Equal("alice", valid.Claims["sub"]);
        Assert.False(wrongIssuer.IsValid);
        Assert.False(wrongAudience.IsValid);
    }
}

/// <summary>Tokens signed the way the token endpoint signs them, and the parameters a platform service checks.</summary>
internal static class TokenSigning
{
    public static async Task<string> CreateTokenAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> service, string subject = "alice")
    {
        var credentials = await service.SigningKeys().GetSigningCredentialsAsync(CancellationToken.None);
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthServiceHost.Issuer,
            Audience = "mlops",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(15),
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["scope"] = "mlops.read" },
            SigningCredentials = credentials,
        });
    }

    public static TokenValidationParameters Parameters(JsonWebKeySet keySet, string issuer, string audience = "mlops") => new()
    {
        ValidIssuer = issuer,
        ValidAudience = audience,
        IssuerSigningKeys = keySet.GetSigningKeys(),
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
    };
}
