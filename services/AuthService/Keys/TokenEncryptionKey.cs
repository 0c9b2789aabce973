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
/// replica, so nothing ephemeral ever protects a token.
/// </summary>
internal sealed class TokenEncryptionKey(
    NpgsqlDataSource dataSource, SchemaMigrations migrations, IDataProtectionProvider dataProtection, TimeProvider time)
{
    private const string ProtectorPurpose = "MlOps.AuthService.TokenEncryptionKey";

    private readonly Lock _gate = new();
    private EncryptingCredentials? _credentials;

    /// <summary>The key as OpenIddict takes it; read (or made) on first use, synchronously because options are built so.</summary>
    public EncryptingCredentials Credentials
    {
        get
        {
            lock (_gate)
            {
                return _credentials ??= new EncryptingCredentials(
                    new SymmetricSecurityKey(LoadOrCreateAsync().GetAwaiter().GetResult()),
                    SecurityAlgorithms.Aes256KW,
                    SecurityAlgorithms.Aes256CbcHmacSha512);
            }
        }
    }

    private async Task<byte[]> LoadOrCreateAsync()
    {
        await migrations.Applied.Task;
        var protector = dataProtection.CreateProtector(ProtectorPurpose);
        await using var connection = await dataSource.OpenConnectionAsync();
        var fresh = RandomNumberGenerator.GetBytes(32);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO auth.token_encryption_key (id, protected_key, created_at) VALUES (1, @key, @now) ON CONFLICT (id) DO NOTHING", connection))
        {
            insert.Parameters.AddWithValue("key", Convert.ToBase64String(protector.Protect(fresh)));
            insert.Parameters.AddWithValue("now", time.GetUtcNow());
            await insert.ExecuteNonQueryAsync();
        }

        CryptographicOperations.ZeroMemory(fresh);
        await using var select = new NpgsqlCommand("SELECT protected_key FROM auth.token_encryption_key WHERE id = 1", connection);
        return protector.Unprotect(Convert.FromBase64String((string)(await select.ExecuteScalarAsync())!));
    }
}
