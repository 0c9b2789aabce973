using System.Security.Cryptography;

namespace MlOps.AuthService.Tokens;

/// <summary>Random secrets and the one-way hashes refresh tokens are looked up by.</summary>
internal static class Secrets
{
    /// <summary>256 random bits, base64url: for client secrets and refresh tokens.</summary>
    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>SHA-256 of a high-entropy token: enough to find it without storing it, and nothing to brute-force.</summary>
    public static string Sha256(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
