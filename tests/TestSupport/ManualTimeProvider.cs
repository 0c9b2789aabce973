namespace MlOps.TestSupport;

/// <summary>A clock the test moves by hand; timers and timestamps stay the system's.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    /// <summary>Now, truncated to whole seconds so it survives PostgreSQL's microsecond timestamps unchanged.</summary>
    public static ManualTimeProvider StartingNow() =>
        new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);
}
