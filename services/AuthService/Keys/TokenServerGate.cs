using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace MlOps.AuthService.Keys;

/// <summary>
/// The token server's keys in its options, and its endpoints closed until those keys are read. OpenIddict builds its
/// options on the request path of every request (<c>/alive</c> too), so they must never wait for the database; and it
/// refuses options without a signing and an encryption key. Until the bootstrap has read the real keys, the options
/// carry a throwaway pair that nothing can use, because <c>/connect/*</c> and <c>/.well-known/*</c> answer 503 until
/// then; the first read fires <see cref="SigningKeyChanges"/> and the options are built again with the real keys.
/// </summary>
internal sealed class TokenServerGate(SigningKeyStore signingKeys, TokenEncryptionKey encryptionKey)
{
    private static readonly PathString[] ServerPaths = ["/connect", "/.well-known"];

    public bool Ready => encryptionKey.Credentials is not null && signingKeys.TryGetServerCredentials(out _);

    public void Configure(OpenIddictServerOptions server)
    {
        server.SigningCredentials.Clear();
        server.EncryptionCredentials.Clear();
        if (encryptionKey.Credentials is { } encryption && signingKeys.TryGetServerCredentials(out var signing))
        {
            server.SigningCredentials.AddRange(signing);
            server.EncryptionCredentials.Add(encryption);
            return;
        }

        server.SigningCredentials.Add(new SigningCredentials(
            new ECDsaSecurityKey(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256)),
            SecurityAlgorithms.EcdsaSha256));
        server.EncryptionCredentials.Add(new EncryptingCredentials(
            new SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            SecurityAlgorithms.Aes256KW,
            SecurityAlgorithms.Aes256CbcHmacSha512));
    }

    /// <summary>503 with a problem body on the token server's paths until <see cref="Ready"/>.</summary>
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (!Ready && Array.Exists(ServerPaths, path => context.Request.Path.StartsWithSegments(path)))
        {
            context.Response.Headers.RetryAfter = "1";
            await Results.Problem(
                "The token service is starting: its keys are not read yet.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Starting").ExecuteAsync(context);
            return;
        }

        await next();
    }
}
