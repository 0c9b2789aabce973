namespace MlOps.AuthService.Tokens;

/// <summary>Limits on failed sign-ins (section <c>TokenService:Lockout</c>).</summary>
public sealed class LoginThrottleOptions
{
    public const string SectionName = "TokenService:Lockout";

    /// <summary>Failures of one user name within <see cref="Window"/> that lock the account.</summary>
    public int MaxFailuresPerUser { get; set; } = 5;

    /// <summary>Failures from one client address within <see cref="Window"/> that lock it out of the password grant.</summary>
    public int MaxFailuresPerAddress { get; set; } = 20;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The first lock; each following one lasts twice as long, up to <see cref="MaxLock"/>.</summary>
    public TimeSpan FirstLock { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan MaxLock { get; set; } = TimeSpan.FromHours(1);
}
