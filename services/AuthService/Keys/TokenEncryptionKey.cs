using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;
using MlOps.ServiceDefaults.Database;
using Npgsql;

namespace MlOps.AuthService.Keys;

/// <summary>
/// The OpenIddict server's encryption key, which it requires though nothing here is encrypted with it (access tokens
/// are signed only; refresh tokens are protected with Data Protection). It is kept anyway like the signing keys: 256
/// random bits in <c>auth.token_encryption_key</c>, protected with Data Protection, made once and shared by every
/// replica, so nothing ephemeral ever protects a token. The bootstrap loads it once the schema exists.
/// </summary>
internal sealed class TokenEncryptionKey(
    NpgsqlDataSource dataSource, SchemaMigrations migrations, IDataProtectionProvider dataProtection, SigningKeyChanges changes, TimeProvider time)
{
    private const string ProtectorPurpose = "MlOps.AuthService.TokenEncryptionKey";

    private volatile EncryptingCredentials? _credentials;

    /// <summary>The key as OpenIddict takes it, once <see cref="LoadAsync"/> has read (or made) it.</summary>
    public EncryptingCredentials? Credentials => _credentials;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (_credentials is not null)
        {
            return;
        }

        _credentials = new EncryptingCredentials(
            new SymmetricSecurityKey(await LoadOrCreateAsync(cancellationToken)), SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512);
        changes.Signal();
    }

    private async Task<byte[]> LoadOrCreateAsync(CancellationToken cancellationToken)
    {
        await migrations.Applied.Task.WaitAsync(cancellationToken);
        var protector = dataProtection.CreateProtector(ProtectorPurpose);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var fresh = RandomNumberGenerator.GetBytes(32);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO auth.token_encryption_key (id, protected_key, created_at) VALUES (1, @key, @now) ON CONFLICT (id) DO NOTHING", connection))
        {
            insert.Parameters.AddWithValue("key", Convert.ToBase64String(protector.Protect(fresh)));
            insert.Parameters.AddWithValue("now", time.GetUtcNow());
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        CryptographicOperations.ZeroMemory(fresh);
        await using var select = new NpgsqlCommand("SELECT protected_key FROM auth.token_encryption_key WHERE id = 1", connection);
        return protector.Unprotect(Convert.FromBase64String((string)(await select.ExecuteScalarAsync(cancellationToken))!));
    }
}
