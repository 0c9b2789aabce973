using System.Diagnostics;
using Microsoft.IdentityModel.Tokens;
using MlOps.AuthService.Tests.Tokens;
using MlOps.TestSupport;

namespace MlOps.AuthService.Tests.Keys;

/// <summary>
/// An independent verifier: Debian's python3-jwt (PyJWT with python3-cryptography) checks a token the token endpoint
/// issued against the JWKS the service publishes: signature, issuer, audience and expiry.
/// </summary>
public sealed class PythonJwtVerificationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Python = "/usr/bin/python3";

    private const string VerifyScript = """
        import json, sys
        import jwt

        jwks_path, token_path, issuer, audience = sys.argv[1:5]
        with open(jwks_path) as f:
            keyset = jwt.PyJWKSet.from_json(f.read())
        with open(token_path) as f:
            token = f.read().strip()
        key = keyset[jwt.get_unverified_header(token)["kid"]]
        claims = jwt.decode(token, key.key, algorithms=["ES256", "RS256"], audience=audience, issuer=issuer,
                            options={"require": ["exp", "iss", "aud", "sub"]})
        print(claims["name"], claims["scope"])
        """;

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public async Task PyJWT_verifies_an_issued_token_with_the_published_keys_and_rejects_a_tampered_one(string algorithm)
    {
        await using var host = await TokenServiceHost.StartAsync(
            postgres, settings: new Dictionary<string, string> { ["SigningKeys:Algorithm"] = algorithm });
        using var folder = TemporaryDirectory.Create("auth-pyjwt-");
        await File.WriteAllTextAsync(folder.Combine("jwks.json"), await (await host.Client.GetWhenOpenAsync("/.well-known/jwks")).Content.ReadAsStringAsync());
        await File.WriteAllTextAsync(folder.Combine("verify_token.py"), VerifyScript);
        var token = (await host.PasswordTokenAsync(scope: "mlops.read mlops.train")).GetProperty("access_token").GetString()!;
        var parts = token.Split('.');
        var tampered = string.Join('.', parts[0], Base64UrlEncoder.Encode(Base64UrlEncoder.Decode(parts[1]).Replace("mlops.read", "mlops.admin")), parts[2]);
        var issuer = TokenServiceHost.Issuer + "/";

        var accepted = await VerifyAsync(folder, token, issuer);
        var forged = await VerifyAsync(folder, tampered, issuer);
        var otherIssuer = await VerifyAsync(folder, token, "https://elsewhere.test/");

        Assert.Equal(algorithm, new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Alg);
        Assert.True(accepted.ExitCode == 0, accepted.Output);
        Assert.Equal("admin mlops.read mlops.train offline_access", accepted.Output.Trim());
        Assert.True(forged.ExitCode != 0, forged.Output);
        Assert.Contains("Signature verification failed", forged.Output, StringComparison.Ordinal);
        Assert.True(otherIssuer.ExitCode != 0, otherIssuer.Output);
        Assert.Contains("Invalid issuer", otherIssuer.Output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> VerifyAsync(TemporaryDirectory folder, string token, string issuer)
    {
        var tokenPath = folder.Combine("token-" + Guid.NewGuid().ToString("N") + ".jwt");
        await File.WriteAllTextAsync(tokenPath, token);
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { folder.Combine("verify_token.py"), folder.Combine("jwks.json"), tokenPath, issuer, "mlops" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
