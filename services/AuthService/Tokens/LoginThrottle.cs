using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MlOps.AuthService.Persistence;

namespace MlOps.AuthService.Tokens;

/// <summary>
/// Counts failed sign-ins per user name and per client address in the database (so every replica sees them) and locks
/// a key once it reaches its limit within the window, for a lock that doubles each time it recurs. Names are counted
/// whether or not such a user exists, so the answers never tell the two apart.
/// </summary>
internal sealed class LoginThrottle(AuthDbContext db, IOptions<LoginThrottleOptions> options, TimeProvider time)
{
    public static string UserKey(string normalizedUserName) => "user:" + normalizedUserName;

    public static string AddressKey(string? address) => "address:" + (address ?? "unknown");

    public async Task<bool> IsLockedAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var list = keys.ToList();
        return await db.LoginThrottle.AnyAsync(e => list.Contains(e.Key) && e.LockedUntil > now, cancellationToken);
    }

    public async Task RecordFailureAsync(string key, int maxFailures, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var windowStart = now - settings.Window;

        // One statement counts the failure, restarting the window when the last one has passed.
        var counted = await db.Database.SqlQuery<int>($"""
            INSERT INTO auth.login_throttle (key, failures, window_started_at, locked_until, lockouts)
            VALUES ({key}, 1, {now}, NULL, 0)
            ON CONFLICT (key) DO UPDATE SET
                failures = CASE WHEN login_throttle.window_started_at < {windowStart} THEN 1 ELSE login_throttle.failures + 1 END,
                window_started_at = CASE WHEN login_throttle.window_started_at < {windowStart} THEN {now} ELSE login_throttle.window_started_at END
            RETURNING failures AS "Value"
            """).ToListAsync(cancellationToken);
        if (counted[0] < maxFailures)
        {
            return;
        }

        var entry = await db.LoginThrottle.SingleAsync(e => e.Key == key, cancellationToken);
        var lockFor = TimeSpan.FromTicks(Math.Min(settings.FirstLock.Ticks * (1L << Math.Min(entry.Lockouts, 20)), settings.MaxLock.Ticks));
        entry.LockedUntil = now + lockFor;
        entry.Lockouts++;
        entry.Failures = 0;
        entry.WindowStartedAt = now;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A successful sign-in clears the user's count and lock history.</summary>
    public Task ResetAsync(string key, CancellationToken cancellationToken) =>
        db.LoginThrottle.Where(e => e.Key == key).ExecuteDeleteAsync(cancellationToken);
}
