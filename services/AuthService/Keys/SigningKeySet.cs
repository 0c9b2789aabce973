namespace MlOps.AuthService.Keys;

/// <summary>One row of <c>auth.signing_keys</c>.</summary>
internal sealed record StoredSigningKey(
    string Kid,
    string Algorithm,
    string ProtectedKey,
    string PublicJwk,
    DateTimeOffset CreatedAt,
    DateTimeOffset ActivatesAt,
    DateTimeOffset ExpiresAt);

/// <summary>
/// The stored keys in activation order, and the schedule read from them: a key signs from its <c>activates_at</c>
/// until the next key's; it is published from creation until <paramref name="retention"/> after it stopped signing.
/// </summary>
internal sealed class SigningKeySet(
    IReadOnlyList<StoredSigningKey> keys, TimeSpan lifetime, TimeSpan publishAhead, TimeSpan retention, TimeSpan clockSkew)
{
    public IReadOnlyList<StoredSigningKey> Keys { get; } = [.. keys.OrderBy(key => key.ActivatesAt)];

    /// <summary>
    /// The key that signs at <paramref name="now"/>: the latest whose activation has come. Before any has, the first
    /// key if it activates within the clock skew: a replica whose clock runs ahead made it "active now".
    /// </summary>
    public StoredSigningKey? CurrentAt(DateTimeOffset now) =>
        Keys.LastOrDefault(key => key.ActivatesAt <= now)
        ?? (Keys.Count > 0 && Keys[0].ActivatesAt <= now + clockSkew ? Keys[0] : null);

    public StoredSigningKey? SuccessorOf(StoredSigningKey key) => Keys.FirstOrDefault(other => other.ActivatesAt > key.ActivatesAt);

    /// <summary>When the key after <paramref name="current"/> must exist: <c>publishAhead</c> before its period ends.</summary>
    public DateTimeOffset NextKeyDue(StoredSigningKey current) => current.ActivatesAt + lifetime - publishAhead;

    /// <summary>When the key after <paramref name="current"/> takes over: at the end of its period, or now if overdue.</summary>
    public DateTimeOffset NextActivation(StoredSigningKey current, DateTimeOffset now)
    {
        var scheduled = current.ActivatesAt + lifetime;
        return scheduled > now ? scheduled : now;
    }

    /// <summary>Whether a key must be created: none signs now, or the next one is due and missing.</summary>
    public bool NeedsKeyAt(DateTimeOffset now) =>
        CurrentAt(now) is not { } current || (now >= NextKeyDue(current) && SuccessorOf(current) is null);

    /// <summary>The next key(s), the current one, and those that stopped signing less than the retention ago.</summary>
    public IReadOnlyList<StoredSigningKey> PublishedAt(DateTimeOffset now)
    {
        var current = CurrentAt(now);
        return [.. Keys.Where(key =>
            key.ActivatesAt > now
            || ReferenceEquals(key, current)
            || (SuccessorOf(key) is { } successor && successor.ActivatesAt + retention > now))];
    }

    /// <summary>The first instant after <paramref name="now"/> at which the signing or published keys change.</summary>
    public DateTimeOffset? NextChangeAfter(DateTimeOffset now)
    {
        var instants = new List<DateTimeOffset>();
        foreach (var key in Keys)
        {
            instants.Add(key.ActivatesAt);
            if (SuccessorOf(key) is { } successor)
            {
                instants.Add(successor.ActivatesAt + retention);
            }
            else
            {
                instants.Add(NextKeyDue(key));
            }
        }

        var future = instants.Where(instant => instant > now).ToList();
        return future.Count == 0 ? null : future.Min();
    }
}
