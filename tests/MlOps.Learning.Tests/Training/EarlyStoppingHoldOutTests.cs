using MlOps.Learning.Data;
using MlOps.Learning.Training;

namespace MlOps.Learning.Tests.Training;

public sealed class EarlyStoppingHoldOutTests
{
    [Fact]
    public void A_seed_holds_out_the_same_share_of_rows_every_time_and_the_two_sides_cover_every_row_once()
    {
        var (kept, held) = EarlyStoppingHoldOut.Split(1_000, 0.1, seed: 7);
        var (keptAgain, heldAgain) = EarlyStoppingHoldOut.Split(1_000, 0.1, seed: 7);
        var (_, heldElsewhere) = EarlyStoppingHoldOut.Split(1_000, 0.1, seed: 8);

        Assert.Equal(100, held.Length);
        Assert.Equal(held, heldAgain);
        Assert.Equal(kept, keptAgain);
        Assert.NotEqual(held, heldElsewhere);
        Assert.Equal(Enumerable.Range(0, 1_000), kept.Concat(held).Order());
        Assert.Equal(held.Order(), held);
        Assert.Equal(kept.Order(), kept);
    }

    [Fact]
    public void Too_few_rows_to_keep_any_are_refused()
    {
        var error = Assert.Throws<DataException>(() => EarlyStoppingHoldOut.Split(1, 0.1, seed: 0));

        Assert.Contains("too few", error.Message, StringComparison.Ordinal);
        Assert.Single(EarlyStoppingHoldOut.Split(2, 0.1, seed: 0).Held);
    }
}
