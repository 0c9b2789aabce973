using Microsoft.IdentityModel.Tokens;

namespace MlOps.AuthService.Keys;

/// <summary>
/// The token service's signing keys: the one that signs now. The OpenIddict server signs with it and publishes every
/// key a verifier may meet in its JWKS (<see cref="SigningKeyStore.TryGetServerCredentials"/>).
/// </summary>
public interface ISigningKeys
{
    /// <summary>The key that signs new tokens now, with its <c>kid</c> set.</summary>
    ValueTask<SigningCredentials> GetSigningCredentialsAsync(CancellationToken cancellationToken);
}
