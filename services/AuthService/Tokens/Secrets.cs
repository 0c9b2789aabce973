using System.Security.Cryptography;

namespace MlOps.AuthService.Tokens;

/// <summary>Random secrets: client secrets, and the password of the decoy account that keeps failures equally costly.</summary>
internal static class Secrets
{
    /// <summary>256 random bits, base64url.</summary>
    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
