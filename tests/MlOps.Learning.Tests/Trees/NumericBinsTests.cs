using MlOps.Learning.Trees;

namespace MlOps.Learning.Tests.Trees;

public sealed class NumericBinsTests
{
    [Fact]
    public void Few_distinct_values_get_a_bin_each_and_missing_values_bin_zero()
    {
        double[] values = [3, 1, double.NaN, 2, 2, 1, 3, double.NaN];

        var bins = NumericBins.Fit(values);
        var binned = new byte[values.Length];
        bins.Bin(values, binned);

        Assert.Equal([1.5, 2.5], bins.UpperBounds);
        Assert.Equal(3, bins.ValueBins);
        Assert.Equal([3, 1, 0, 2, 2, 1, 3, 0], binned.Select(b => (int)b));
        // Values never seen fall into the bin whose range holds them; a bound belongs to the bin below it.
        Assert.Equal((1, 1, 2, 3), (bins.BinOf(-100), bins.BinOf(1.5), bins.BinOf(1.6), bins.BinOf(1e300)));
    }

    [Fact]
    public void Many_distinct_values_are_cut_at_equal_steps_of_rank_into_at_most_the_bins_asked_for()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 100_000).Select(_ => random.NextDouble() * 1000).ToArray();

        var bins = NumericBins.Fit(values, maxBins: 255);
        var counts = new int[256];
        foreach (var value in values)
        {
            counts[bins.BinOf(value)]++;
        }

        Assert.Equal(255, bins.ValueBins);
        Assert.Equal(0, counts[0]);
        // Every value bin holds its share of the rows (100,000 / 255 ≈ 392), as the bounds are quantiles of the values.
        Assert.All(counts[1..], count => Assert.InRange(count, 380, 405));
        Assert.True(bins.UpperBounds.Zip(bins.UpperBounds.Skip(1)).All(pair => pair.First < pair.Second));
    }

    [Fact]
    public void Ties_never_split_equal_values_and_make_fewer_bins()
    {
        // Half the rows share one value: a quantile cut inside that run is dropped.
        var values = Enumerable.Range(0, 10_000).Select(i => i < 5_000 ? 42.0 : i).ToArray();

        var bins = NumericBins.Fit(values, maxBins: 16);

        Assert.InRange(bins.ValueBins, 2, 16);
        Assert.Single(values.Where(v => v == 42).Select(bins.BinOf).Distinct());
        Assert.True(values.Zip(values.Skip(1)).All(pair => pair.First > pair.Second || bins.BinOf(pair.First) <= bins.BinOf(pair.Second)));
    }

    [Fact]
    public void The_sample_is_seeded_and_bounded()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 50_000).Select(_ => random.NextDouble()).ToArray();

        var first = NumericBins.Fit(values, maxBins: 32, sampleSize: 1_000, seed: 1);
        var again = NumericBins.Fit(values, maxBins: 32, sampleSize: 1_000, seed: 1);
        var other = NumericBins.Fit(values, maxBins: 32, sampleSize: 1_000, seed: 2);

        Assert.Equal(first.UpperBounds, again.UpperBounds);
        Assert.NotEqual(first.UpperBounds, other.UpperBounds);
        Assert.Equal(32, first.ValueBins);
    }

    [Fact]
    public void A_constant_or_empty_feature_has_one_value_bin_and_bad_arguments_are_refused()
    {
        Assert.Equal(1, NumericBins.Fit([5.0, 5.0, 5.0]).ValueBins);
        Assert.Equal(1, NumericBins.Fit([double.NaN, double.NaN]).ValueBins);
        Assert.Equal(1, NumericBins.Fit([double.NaN]).BinOf(7));
        Assert.Throws<ArgumentOutOfRangeException>(() => NumericBins.Fit([1.0], maxBins: 256));
        Assert.Throws<ArgumentOutOfRangeException>(() => NumericBins.Fit([1.0], maxBins: 0));
    }
}
