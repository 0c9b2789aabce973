using MlOps.Learning.Trees;

namespace MlOps.Learning.Tests.Trees;

public sealed class HistogramTests
{
    /// <summary>
    /// Every way a histogram is built (one thread or several, by column or by row, a dense or a sparse subset, a few
    /// rows or many) gives the sums a plain loop over the rows gives.
    /// </summary>
    [Theory]
    [InlineData(1.0, 1)]
    [InlineData(1.0, 3)]
    [InlineData(0.5, 2)]
    [InlineData(0.02, 1)]
    [InlineData(0.02, 2)]
    [InlineData(0.005, 2)]
    public void Every_build_path_sums_what_a_plain_loop_sums(double share, int threads)
    {
        const int Rows = 60_000;
        var random = new Random(21);
        var columns = new double[6][];
        for (var f = 0; f < columns.Length; f++)
        {
            // Continuous, few-valued and partly missing features.
            columns[f] = Enumerable.Range(0, Rows).Select(_ => f switch
            {
                0 => random.NextDouble(),
                1 => Math.Floor(random.NextDouble() * 5),
                _ => random.NextDouble() < 0.1 ? double.NaN : random.NextDouble() * 100,
            }).ToArray();
        }

        var features = BinnedFeatures.Create(columns, threads: threads);
        var statistics = Enumerable.Range(0, Rows).Select(_ => new GradientPair(random.NextDouble() - 0.5, random.NextDouble())).ToArray();
        int[]? rows = share >= 1 ? null : Enumerable.Range(0, Rows).Where(_ => random.NextDouble() < share).ToArray();
        var count = rows?.Length ?? Rows;

        var histogram = new Histogram(features.FeatureCount);
        new HistogramBuilder(features.FeatureCount, threads).Build(histogram, features, statistics, rows, 0, count);

        var expected = new double[histogram.Sums.Length];
        for (var i = 0; i < count; i++)
        {
            var row = rows?[i] ?? i;
            for (var f = 0; f < features.FeatureCount; f++)
            {
                var slot = ((f * Histogram.SlotsPerFeature) + features.Column(f)[row]) * Histogram.Lanes;
                expected[slot] += statistics[row].Gradient;
                expected[slot + 1] += statistics[row].Hessian;
            }
        }

        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], histogram.Sums[i], 1e-9);
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.1)]
    public void Sparse_features_sum_their_non_zero_entries_and_get_their_zero_bin_as_the_rest(double share)
    {
        const int Rows = 5_000;
        const int SparseCount = 30;
        var random = new Random(31);
        var dense = new[] { Enumerable.Range(0, Rows).Select(_ => random.NextDouble()).ToArray() };
        var rowStarts = new int[Rows + 1];
        var entries = new List<(int Feature, double Value)>();
        var values = new double[Rows, SparseCount];
        for (var row = 0; row < Rows; row++)
        {
            for (var feature = 0; feature < SparseCount; feature++)
            {
                if (random.NextDouble() < 0.05)
                {
                    values[row, feature] = 0.1 + random.NextDouble();
                    entries.Add((feature, values[row, feature]));
                }
            }

            rowStarts[row + 1] = entries.Count;
        }

        var sparse = SparseFeatures.Create(new SparseRows(SparseCount, rowStarts, [.. entries.Select(e => e.Feature)], [.. entries.Select(e => e.Value)]));
        var features = BinnedFeatures.Create(dense, sparse: sparse);
        var statistics = Enumerable.Range(0, Rows).Select(_ => new GradientPair(random.NextDouble() - 0.5, random.NextDouble())).ToArray();
        int[]? rows = share >= 1 ? null : Enumerable.Range(0, Rows).Where(_ => random.NextDouble() < share).ToArray();
        var count = rows?.Length ?? Rows;

        var histogram = new Histogram(features.FeatureCount);
        new HistogramBuilder(features.FeatureCount, threads: 2).Build(histogram, features, statistics, rows, 0, count);

        Assert.Equal(1 + SparseCount, features.FeatureCount);
        var expected = new double[histogram.Sums.Length];
        for (var i = 0; i < count; i++)
        {
            var row = rows?[i] ?? i;
            for (var f = 0; f < features.FeatureCount; f++)
            {
                var bin = f == 0 ? features.Column(0)[row] : features.Bins[f].BinOf(values[row, f - 1]);
                Assert.Equal(bin, features.BinOf(row, f));
                var slot = ((f * Histogram.SlotsPerFeature) + bin) * Histogram.Lanes;
                expected[slot] += statistics[row].Gradient;
                expected[slot + 1] += statistics[row].Hessian;
            }
        }

        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], histogram.Sums[i], 1e-9);
        }

        Assert.All(Enumerable.Range(1, SparseCount), f => Assert.Equal(SparseFeatures.ZeroBin, features.Bins[f].BinOf(0)));
    }

    [Fact]
    public void Subtracting_a_childs_histogram_from_its_parents_gives_the_siblings()
    {
        var random = new Random(4);
        var columns = new[] { Enumerable.Range(0, 5_000).Select(_ => random.NextDouble()).ToArray() };
        var features = BinnedFeatures.Create(columns);
        var statistics = Enumerable.Range(0, 5_000).Select(_ => new GradientPair(random.NextDouble(), 1)).ToArray();
        var builder = new HistogramBuilder(1, threads: 2);
        var left = Enumerable.Range(0, 5_000).Where(i => i % 3 == 0).ToArray();
        var right = Enumerable.Range(0, 5_000).Where(i => i % 3 != 0).ToArray();
        Histogram parent = new(1), leftHistogram = new(1), rightHistogram = new(1);
        builder.Build(parent, features, statistics, rows: null, 0, 5_000);
        builder.Build(leftHistogram, features, statistics, left, 0, left.Length);
        builder.Build(rightHistogram, features, statistics, right, 0, right.Length);

        parent.Subtract(leftHistogram);

        for (var i = 0; i < parent.Sums.Length; i++)
        {
            Assert.Equal(rightHistogram.Sums[i], parent.Sums[i], 1e-9);
        }
    }
}
