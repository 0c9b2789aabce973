using MlOps.Learning.Data;

namespace MlOps.Learning.Tests.Data;

public sealed class ValueSampleTests
{
    [Fact]
    public void A_column_with_no_more_values_than_the_size_gives_all_present_values_in_row_order()
    {
        var column = new NumericColumn("x", [3, 1, 4, 1, 5], [false, true, false, false, false]);

        Assert.Equal([3.0, 4, 1, 5], ValueSample.Draw(column, 10, seed: 1));
    }

    [Fact]
    public void A_larger_column_gives_a_seeded_sample_without_replacement()
    {
        var values = Enumerable.Range(0, 10_000).Select(i => (double)i).ToArray();
        var column = new NumericColumn("x", values, new bool[values.Length]);

        var first = ValueSample.Draw(column, 500, seed: 7);
        var again = ValueSample.Draw(column, 500, seed: 7);
        var other = ValueSample.Draw(column, 500, seed: 8);

        Assert.Equal(500, first.Length);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(500, first.Distinct().Count());
        Assert.All(first, value => Assert.InRange(value, 0, 9_999));
        // Drawn across the whole column, not from its start: about half of the sample lies in each half.
        Assert.InRange(first.Count(value => value < 5_000), 200, 300);
    }

    [Fact]
    public void A_size_below_one_is_refused()
    {
        var column = new NumericColumn("x", [1], [false]);

        Assert.Throws<ArgumentOutOfRangeException>(() => ValueSample.Draw(column, 0, seed: 1));
    }
}
