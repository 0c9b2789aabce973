using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using MlOps.AuthService.Tokens;
using MlOps.ServiceDefaults.Database;
using Npgsql;

namespace MlOps.AuthService.Keys;

/// <summary>
/// The signing keys, kept in <c>auth.signing_keys</c> with their private parts protected by Data Protection. Reads are
/// served from an in-memory copy that lives at most <see cref="SigningKeyOptions.CacheDuration"/> and never past the
/// next scheduled change (a key taking over, a retired key leaving, the next key falling due), so signing a token does
/// not touch the database. Keys are created on demand and by <see cref="SigningKeyRotation"/>, under a PostgreSQL
/// advisory lock so replicas starting together create one key, not one each.
/// </summary>
internal sealed partial class SigningKeyStore(
    NpgsqlDataSource dataSource,
    SchemaMigrations migrations,
    IDataProtectionProvider dataProtection,
    IOptionsMonitor<TokenServiceOptions> tokenOptions,
    IOptionsMonitor<SigningKeyOptions> keyOptions,
    SigningKeyChanges changes,
    TimeProvider time,
    ILogger<SigningKeyStore> logger) : ISigningKeys, IDisposable
{
    /// <summary>The Data Protection purpose the private keys are protected with.</summary>
    public const string ProtectorPurpose = "MlOps.AuthService.SigningKeys";

    private const string Table = "auth.signing_keys";
    private const string LockName = "auth.signing_keys";
    private const int MaxKeysPerCheck = 4;

    /// <summary>How long a copy that could not be refreshed is reused before the database is tried again.</summary>
    private static readonly TimeSpan StaleRetry = TimeSpan.FromSeconds(5);

    private readonly IDataProtector _protector = dataProtection.CreateProtector(ProtectorPurpose);
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly ConcurrentDictionary<string, SigningCredentials> _credentials = new(StringComparer.Ordinal);
    private volatile Snapshot? _snapshot;
    private int _refreshingInBackground;

    public async ValueTask<SigningCredentials> GetSigningCredentialsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var keys = await GetKeySetAsync(now, cancellationToken);
        var current = keys.CurrentAt(now) ?? throw new InvalidOperationException("No signing key is active.");
        return _credentials.GetOrAdd(current.Kid, static (_, state) => state.Store.CreateCredentials(state.Key), (Store: this, Key: current));
    }

    /// <summary>
    /// Every published key with its private part, the one that signs now first: what the OpenIddict server signs with
    /// (the first) and publishes in its JWKS (all). From the keys in memory only, never the database, because options
    /// are built on the request path (even <c>/alive</c>'s); false until the keys have been read once.
    /// </summary>
    public bool TryGetServerCredentials(out IReadOnlyList<SigningCredentials> credentials)
    {
        var now = time.GetUtcNow();
        var snapshot = _snapshot;
        if (snapshot is not null && now >= snapshot.ValidUntil)
        {
            // Serve these keys now and read them again beside: a change fires SigningKeyChanges.
            _ = RefreshInBackgroundAsync(snapshot);
        }

        if (snapshot?.Keys is not { } keys || keys.CurrentAt(now) is not { } current)
        {
            credentials = [];
            return false;
        }

        credentials = [.. keys.PublishedAt(now).OrderBy(key => ReferenceEquals(key, current) ? 0 : 1).Select(key =>
            _credentials.GetOrAdd(key.Kid, static (_, state) => state.Store.CreateCredentials(state.Key), (Store: this, Key: key)))];
        return true;
    }

    private async Task RefreshInBackgroundAsync(Snapshot seen)
    {
        if (Interlocked.Exchange(ref _refreshingInBackground, 1) == 1)
        {
            return;
        }

        try
        {
            await RefreshAsync(time.GetUtcNow(), seen, force: false, CancellationToken.None);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            LogRefreshFailed(logger, exception.Message);
        }
        finally
        {
            Volatile.Write(ref _refreshingInBackground, 0);
        }
    }

    /// <summary>Reads the keys again and creates whichever is due now; the background rotation calls this.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken) =>
        await RefreshAsync(time.GetUtcNow(), seen: null, force: true, cancellationToken);

    public void Dispose() => _refreshGate.Dispose();

    private async ValueTask<SigningKeySet> GetKeySetAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cached = _snapshot;
        if (cached is not null && now >= cached.LoadedAt && now < cached.ValidUntil)
        {
            return cached.Keys;
        }

        return await RefreshAsync(now, cached, force: false, cancellationToken);
    }

    private async Task<SigningKeySet> RefreshAsync(DateTimeOffset now, Snapshot? seen, bool force, CancellationToken cancellationToken)
    {
        await _refreshGate.WaitAsync(cancellationToken);
        try
        {
            var cached = _snapshot;
            if (!force && cached is not null && !ReferenceEquals(cached, seen) && now >= cached.LoadedAt && now < cached.ValidUntil)
            {
                return cached.Keys; // another caller refreshed while this one waited
            }

            SigningKeySet keys;
            try
            {
                keys = await LoadAndCreateDueKeysAsync(now, cancellationToken);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException
                && cached?.Keys.CurrentAt(now) is not null)
            {
                // Keep signing with the keys already known rather than failing every token while the database is away.
                LogRefreshFailed(logger, exception.Message);
                _snapshot = cached with { LoadedAt = now, ValidUntil = now + StaleRetry };
                if (!SameSchedule(cached.Keys, cached.LoadedAt, cached.Keys, now))
                {
                    changes.Signal(); // a known key took its turn or retired meanwhile
                }

                return cached.Keys;
            }

            var validUntil = now + keyOptions.CurrentValue.CacheDuration;
            if (keys.NextChangeAfter(now) is { } change && change < validUntil)
            {
                validUntil = change;
            }

            // Against what was served since the last read: a key taking its turn or retiring with time is a change too,
            // with the same keys in the database.
            var changed = cached is null || !SameSchedule(cached.Keys, cached.LoadedAt, keys, now);
            _snapshot = new Snapshot(keys, now, validUntil);
            if (changed)
            {
                changes.Signal();
            }

            return keys;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private async Task<SigningKeySet> LoadAndCreateDueKeysAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await migrations.Applied.Task.WaitAsync(cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        var keys = await ReadAsync(connection, null, cancellationToken);
        if (!keys.NeedsKeyAt(now))
        {
            return keys;
        }

        // Only one replica creates keys at a time; the others wait here, then find the key it made.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext(@lock))", connection, transaction))
        {
            command.Parameters.AddWithValue("lock", LockName);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // What another replica did while this one waited happened before now: look at the clock again.
        now = time.GetUtcNow();
        keys = await ReadAsync(connection, transaction, cancellationToken);
        for (var created = 0; created < MaxKeysPerCheck && keys.NeedsKeyAt(now); created++)
        {
            var current = keys.CurrentAt(now);
            var activatesAt = current is null ? now : keys.NextActivation(current, now);
            await InsertAsync(connection, transaction, now, activatesAt, cancellationToken);
            keys = await ReadAsync(connection, transaction, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return keys;
    }

    private async Task InsertAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        DateTimeOffset now,
        DateTimeOffset activatesAt,
        CancellationToken cancellationToken)
    {
        var options = keyOptions.CurrentValue;
        var schedule = tokenOptions.CurrentValue;
        var key = SigningKeyMaterial.Generate(options.Algorithm, options.RsaKeySize);
        string protectedKey;
        try
        {
            protectedKey = Convert.ToBase64String(_protector.Protect(key.Pkcs8));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key.Pkcs8);
        }

        await using var command = new NpgsqlCommand($"""
            INSERT INTO {Table} (kid, algorithm, protected_key, public_jwk, created_at, activates_at, expires_at)
            VALUES (@kid, @algorithm, @protected_key, @public_jwk, @created_at, @activates_at, @expires_at)
            ON CONFLICT DO NOTHING
            """, connection, transaction);
        command.Parameters.AddWithValue("kid", key.Kid);
        command.Parameters.AddWithValue("algorithm", key.Algorithm);
        command.Parameters.AddWithValue("protected_key", protectedKey);
        command.Parameters.AddWithValue("public_jwk", key.PublicJwk);
        command.Parameters.AddWithValue("created_at", now);
        command.Parameters.AddWithValue("activates_at", activatesAt);
        command.Parameters.AddWithValue("expires_at", activatesAt + schedule.SigningKeyLifetime + Retention(schedule, options));
        await command.ExecuteNonQueryAsync(cancellationToken);
        LogCreated(logger, key.Kid, key.Algorithm, activatesAt);
    }

    private async Task<SigningKeySet> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var keys = new List<StoredSigningKey>();
        await using (var command = new NpgsqlCommand(
            $"SELECT kid, algorithm, protected_key, public_jwk, created_at, activates_at, expires_at FROM {Table} ORDER BY activates_at",
            connection,
            transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(new StoredSigningKey(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetFieldValue<DateTimeOffset>(4),
                    reader.GetFieldValue<DateTimeOffset>(5),
                    reader.GetFieldValue<DateTimeOffset>(6)));
            }
        }

        var schedule = tokenOptions.CurrentValue;
        var options = keyOptions.CurrentValue;
        return new SigningKeySet(
            keys, schedule.SigningKeyLifetime, schedule.SigningKeyPublishAhead, Retention(schedule, options), options.ClockSkew);
    }

    private SigningCredentials CreateCredentials(StoredSigningKey key)
    {
        var pkcs8 = _protector.Unprotect(Convert.FromBase64String(key.ProtectedKey));
        try
        {
            return new SigningCredentials(SigningKeyMaterial.Import(key.Algorithm, key.Kid, pkcs8), key.Algorithm);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>Whether the same key signs and the same keys are published at <paramref name="now"/>.</summary>
    /// <summary>Whether the key that signs and the keys published are the same at <paramref name="now"/> as they were at <paramref name="then"/>.</summary>
    private static bool SameSchedule(SigningKeySet before, DateTimeOffset then, SigningKeySet after, DateTimeOffset now) =>
        before.CurrentAt(then)?.Kid == after.CurrentAt(now)?.Kid
        && before.PublishedAt(then).Select(key => key.Kid).SequenceEqual(after.PublishedAt(now).Select(key => key.Kid), StringComparer.Ordinal);

    /// <summary>How long a key stays published after it stopped signing: tokens it signed may live that long.</summary>
    private static TimeSpan Retention(TokenServiceOptions schedule, SigningKeyOptions options) =>
        schedule.AccessTokenLifetime + options.ClockSkew;

    private sealed record Snapshot(SigningKeySet Keys, DateTimeOffset LoadedAt, DateTimeOffset ValidUntil);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created signing key {Kid} ({Algorithm}), signing from {ActivatesAt:O}")]
    private static partial void LogCreated(ILogger logger, string kid, string algorithm, DateTimeOffset activatesAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the signing keys, using the ones already loaded ({Reason})")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
