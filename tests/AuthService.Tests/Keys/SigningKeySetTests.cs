using MlOps.AuthService.Keys;

namespace MlOps.AuthService.Tests.Keys;

/// <summary>The schedule read from the stored keys, without a database.</summary>
public sealed class SigningKeySetTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);
    private static readonly TimeSpan Ahead = TimeSpan.FromDays(2);
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(16);
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);

    [Fact]
    public void No_key_means_one_is_needed_now()
    {
        var keys = Set();

        Assert.Null(keys.CurrentAt(T0));
        Assert.True(keys.NeedsKeyAt(T0));
        Assert.Null(keys.NextChangeAfter(T0));
    }

    [Fact]
    public void First_key_made_by_a_replica_whose_clock_runs_ahead_signs_rather_than_a_second_first_key()
    {
        var keys = Set(Key("a", T0 + TimeSpan.FromSeconds(20)));

        Assert.Equal("a", keys.CurrentAt(T0)!.Kid);
        Assert.False(keys.NeedsKeyAt(T0));
        Assert.Null(Set(Key("a", T0 + TimeSpan.FromMinutes(5))).CurrentAt(T0));
    }

    [Fact]
    public void Next_key_is_due_publish_ahead_before_the_period_ends_and_activates_when_it_ends()
    {
        var keys = Set(Key("a", T0));
        var current = keys.CurrentAt(T0 + TimeSpan.FromDays(10))!;

        Assert.False(keys.NeedsKeyAt(T0 + Lifetime - Ahead - TimeSpan.FromSeconds(1)));
        Assert.True(keys.NeedsKeyAt(T0 + Lifetime - Ahead));
        Assert.Equal(T0 + Lifetime - Ahead, keys.NextChangeAfter(T0));
        Assert.Equal(T0 + Lifetime, keys.NextActivation(current, T0 + Lifetime - Ahead));
    }

    [Fact]
    public void Overdue_next_key_activates_now_instead_of_in_the_past()
    {
        var keys = Set(Key("a", T0));
        var late = T0 + TimeSpan.FromDays(90);

        Assert.Equal(late, keys.NextActivation(keys.CurrentAt(late)!, late));
    }

    [Fact]
    public void Published_keys_are_next_current_and_those_retired_within_the_retention()
    {
        var keys = Set(Key("a", T0), Key("b", T0 + Lifetime), Key("c", T0 + (2 * Lifetime)));
        string[] At(DateTimeOffset now) => [.. keys.PublishedAt(now).Select(key => key.Kid)];

        Assert.Equal(["a", "b", "c"], At(T0 + Lifetime - TimeSpan.FromDays(1)));
        Assert.Equal(["a", "b", "c"], At(T0 + Lifetime + Retention - TimeSpan.FromSeconds(1)));
        Assert.Equal(["b", "c"], At(T0 + Lifetime + Retention));
        Assert.Equal(["b", "c"], At(T0 + (2 * Lifetime) - TimeSpan.FromSeconds(1)));
        Assert.Equal(["b", "c"], At(T0 + (2 * Lifetime) + TimeSpan.FromMinutes(1)));
        Assert.Equal(["c"], At(T0 + (2 * Lifetime) + Retention));
        Assert.Equal(T0 + Lifetime + Retention, keys.NextChangeAfter(T0 + Lifetime));
    }

    private static SigningKeySet Set(params StoredSigningKey[] keys) => new(keys, Lifetime, Ahead, Retention, Skew);

    private static StoredSigningKey Key(string kid, DateTimeOffset activatesAt) =>
        new(kid, "ES256", "protected", "{}", activatesAt, activatesAt, activatesAt + Lifetime + Retention);
}
