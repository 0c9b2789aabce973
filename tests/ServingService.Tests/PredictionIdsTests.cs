using MlOps.ServingService.Predictions;
using MlOps.TestSupport;

namespace MlOps.ServingService.Tests;

public sealed class PredictionIdsTests
{
    [Fact]
    public void Ids_are_version_7_and_increase_within_a_millisecond_and_when_the_clock_steps_back()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var ids = new PredictionIds(clock);

        var sameMillisecond = Enumerable.Range(0, 1000).Select(_ => ids.Next()).ToList();
        clock.Advance(TimeSpan.FromMilliseconds(-5));
        var steppedBack = ids.Next();
        clock.Advance(TimeSpan.FromMilliseconds(10));
        var later = ids.Next();

        var all = sameMillisecond.Append(steppedBack).Append(later).ToList();
        Assert.Equal(all, all.Order(Comparer<Guid>.Create(CompareAsPostgreSql)));
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all, id => Assert.Equal(7, id.Version));
        Assert.All(all, id => Assert.Equal(0b10, id.Variant >> 2));
        // The first 48 bits are the milliseconds: 1,800,000,000,000 is 0x01a3185c5000.
        Assert.StartsWith("01a3185c-5000-7", sameMillisecond[0].ToString(), StringComparison.Ordinal);
        Assert.StartsWith("01a3185c-5000-7", steppedBack.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("01a3185c-5005-7", later.ToString(), StringComparison.Ordinal);
    }

    /// <summary>PostgreSQL orders uuid values by their 16 bytes in RFC order (big-endian).</summary>
    private static int CompareAsPostgreSql(Guid a, Guid b) =>
        a.ToByteArray(bigEndian: true).AsSpan().SequenceCompareTo(b.ToByteArray(bigEndian: true));
}
