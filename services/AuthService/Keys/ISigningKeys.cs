using Microsoft.IdentityModel.Tokens;

namespace MlOps.AuthService.Keys;

/// <summary>The token service's signing keys: the one that signs now, and every one a verifier may meet.</summary>
public interface ISigningKeys
{
    /// <summary>The key that signs new tokens now, with its <c>kid</c> set.</summary>
    ValueTask<SigningCredentials> GetSigningCredentialsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The public keys to publish: the current one, the next one (published before it signs) and retired ones still
    /// needed to verify tokens that have not expired.
    /// </summary>
    ValueTask<IReadOnlyList<JsonWebKey>> GetPublishedKeysAsync(CancellationToken cancellationToken);
}
