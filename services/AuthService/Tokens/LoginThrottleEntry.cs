namespace MlOps.AuthService.Tokens;

/// <summary>Failed sign-ins for one user name or one client address, and the lock they led to.</summary>
public sealed class LoginThrottleEntry
{
    public required string Key { get; set; }

    public int Failures { get; set; }

    public DateTimeOffset WindowStartedAt { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>How many times the key has been locked in a row; each lock lasts twice the one before.</summary>
    public int Lockouts { get; set; }
}
