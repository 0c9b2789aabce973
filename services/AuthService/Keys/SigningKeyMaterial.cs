using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace MlOps.AuthService.Keys;

/// <summary>A new key pair: its private half as PKCS#8 (to protect and store) and its public half as a JWK.</summary>
internal sealed record NewSigningKey(string Kid, string Algorithm, byte[] Pkcs8, string PublicJwk);

/// <summary>Creating, publishing and loading ES256 and RS256 keys.</summary>
internal static class SigningKeyMaterial
{
    public static readonly IReadOnlyList<string> SupportedAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256];

    public static NewSigningKey Generate(string algorithm, int rsaKeySize)
    {
        switch (algorithm)
        {
            case SecurityAlgorithms.EcdsaSha256:
            {
                using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var q = ecdsa.ExportParameters(includePrivateParameters: false).Q;
                var x = Base64UrlEncoder.Encode(q.X);
                var y = Base64UrlEncoder.Encode(q.Y);
                // RFC 7638 thumbprint: the required members, in lexicographic order, no whitespace.
                var kid = Thumbprint($$"""{"crv":"P-256","kty":"EC","x":"{{x}}","y":"{{y}}"}""");
                return new NewSigningKey(kid, algorithm, ecdsa.ExportPkcs8PrivateKey(), PublicJwk(writer =>
                {
                    writer.WriteString("kty", "EC");
                    writer.WriteString("use", "sig");
                    writer.WriteString("alg", algorithm);
                    writer.WriteString("kid", kid);
                    writer.WriteString("crv", "P-256");
                    writer.WriteString("x", x);
                    writer.WriteString("y", y);
                }));
            }

            case SecurityAlgorithms.RsaSha256:
            {
                using var rsa = RSA.Create(rsaKeySize);
                var parameters = rsa.ExportParameters(includePrivateParameters: false);
                var n = Base64UrlEncoder.Encode(parameters.Modulus);
                var e = Base64UrlEncoder.Encode(parameters.Exponent);
                var kid = Thumbprint($$"""{"e":"{{e}}","kty":"RSA","n":"{{n}}"}""");
                return new NewSigningKey(kid, algorithm, rsa.ExportPkcs8PrivateKey(), PublicJwk(writer =>
                {
                    writer.WriteString("kty", "RSA");
                    writer.WriteString("use", "sig");
                    writer.WriteString("alg", algorithm);
                    writer.WriteString("kid", kid);
                    writer.WriteString("n", n);
                    writer.WriteString("e", e);
                }));
            }

            default:
                throw new NotSupportedException(
                    $"Signing algorithm '{algorithm}' is not supported; use {string.Join(" or ", SupportedAlgorithms)}.");
        }
    }

    /// <summary>The private key behind stored PKCS#8 bytes, named by its kid, ready to sign.</summary>
    public static AsymmetricSecurityKey Import(string algorithm, string kid, ReadOnlySpan<byte> pkcs8)
    {
        switch (algorithm)
        {
            case SecurityAlgorithms.EcdsaSha256:
                var ecdsa = ECDsa.Create();
                ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
                return new ECDsaSecurityKey(ecdsa) { KeyId = kid };
            case SecurityAlgorithms.RsaSha256:
                var rsa = RSA.Create();
                rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                return new RsaSecurityKey(rsa) { KeyId = kid };
            default:
                throw new NotSupportedException($"Signing algorithm '{algorithm}' is not supported.");
        }
    }

    private static string Thumbprint(string canonicalJwk) =>
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJwk)));

    private static string PublicJwk(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
