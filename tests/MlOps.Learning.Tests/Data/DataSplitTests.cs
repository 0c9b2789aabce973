using MlOps.Learning.Data;

namespace MlOps.Learning.Tests.Data;

public class DataSplitTests
{
    [Fact]
    public void The_same_seed_gives_the_same_split()
    {
        var first = DataSplit.Split(500, 0.6, 0.2, seed: 11);
        var second = DataSplit.Split(500, 0.6, 0.2, seed: 11);

        Assert.Equal(first.Train, second.Train);
        Assert.Equal(first.Validation, second.Validation);
        Assert.Equal(first.Test, second.Test);
    }

    [Fact]
    public void Another_seed_gives_another_split()
    {
        Assert.NotEqual(DataSplit.Split(500, 0.6, 0.2, seed: 11).Train, DataSplit.Split(500, 0.6, 0.2, seed: 12).Train);
    }

    [Fact]
    public void A_seed_gives_the_split_it_always_has()
    {
        // Checked against an independent implementation of xoshiro256**, Lemire's bounded integers and Fisher–Yates.
        var split = DataSplit.Split(10, 0.6, 0.2, seed: 7);

        Assert.Equal([0, 1, 3, 4, 5, 8], split.Train);
        Assert.Equal([6, 9], split.Validation);
        Assert.Equal([2, 7], split.Test);
    }

    [Fact]
    public void The_generator_is_the_reference_xoshiro256_starstar_seeded_by_splitmix64()
    {
        var random = new DataSplitRandom(42);

        Assert.Equal(
            [1546998764402558742UL, 6990951692964543102UL, 12544586762248559009UL],
            [random.NextUInt64(), random.NextUInt64(), random.NextUInt64()]);
    }

    [Theory]
    [InlineData(1000, 0.7, 0.15, 700, 150, 150)]
    [InlineData(101, 0.6, 0.2, 61, 20, 20)]
    [InlineData(10, 0.5, 0.5, 5, 5, 0)]
    [InlineData(7, 1.0, 0.0, 7, 0, 0)]
    [InlineData(0, 0.8, 0.1, 0, 0, 0)]
    public void Part_sizes_are_the_rounded_fractions_and_test_takes_the_rest(
        int rows, double train, double validation, int trainCount, int validationCount, int testCount)
    {
        var split = DataSplit.Split(rows, train, validation, seed: 1);

        Assert.Equal([trainCount, validationCount, testCount], [split.Train.Length, split.Validation.Length, split.Test.Length]);
        AssertPartition(split, rows);
    }

    [Fact]
    public void A_stratified_split_gives_every_class_its_share_of_every_part_within_one_row()
    {
        var labels = ShuffledLabels([500, 300, 7, 3, 190, 1], seed: 5);

        foreach (var (train, validation) in new[] { (0.7, 0.15), (0.8, 0.1), (0.5, 0.25), (0.6, 0.0) })
        {
            var split = DataSplit.Split(labels.Length, train, validation, seed: 3, labels);

            AssertPartition(split, labels.Length);
            Assert.Equal(DataSplit.Split(labels.Length, train, validation, seed: 3).Train.Length, split.Train.Length);
            AssertProportional(split, labels);
        }
    }

    [Fact]
    public void Stratified_splits_of_many_class_mixes_are_exact_and_proportional()
    {
        var sizes = new Random(17);
        for (var trial = 0; trial < 200; trial++)
        {
            var counts = Enumerable.Range(0, sizes.Next(1, 12)).Select(_ => sizes.Next(1, 40)).ToArray();
            var labels = ShuffledLabels(counts, seed: trial);
            var train = Math.Round(sizes.NextDouble(), 2);
            var validation = Math.Round(sizes.NextDouble() * (1 - train), 2);

            var split = DataSplit.Split(labels.Length, train, validation, seed: trial, labels);

            AssertPartition(split, labels.Length);
            AssertProportional(split, labels);
        }
    }

    [Fact]
    public void Rounding_that_needs_rows_moved_between_classes_still_meets_every_total()
    {
        // Three classes of two rows in three parts of two: every share is 2/3. Rounding up greedily in class order fills
        // train and validation with the first two classes and leaves the third only test, which has room for one row.
        int[] labels = [0, 0, 1, 1, 2, 2];

        var split = DataSplit.Split(labels.Length, 1.0 / 3, 1.0 / 3, seed: 9, labels);

        AssertPartition(split, labels.Length);
        AssertProportional(split, labels);
    }

    [Fact]
    public void A_class_of_three_rows_appears_in_every_part_when_rounding_allows_it()
    {
        var labels = ShuffledLabels([97, 3], seed: 2);

        var split = DataSplit.Split(labels.Length, 0.4, 0.3, seed: 4, labels);

        Assert.Contains(split.Train, row => labels[row] == 10);
        Assert.Contains(split.Validation, row => labels[row] == 10);
        Assert.Contains(split.Test, row => labels[row] == 10);
    }

    [Fact]
    public void Fractions_that_add_up_to_more_than_one_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => DataSplit.Split(10, 0.8, 0.3, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Split(10, -0.1, 0.3, seed: 1));
        Assert.Throws<ArgumentException>(() => DataSplit.Split(10, 0.8, 0.1, seed: 1, [1, 2, 3]));
    }

    private static int[] ShuffledLabels(int[] classCounts, int seed)
    {
        var labels = classCounts.SelectMany((count, label) => Enumerable.Repeat(label * 10, count)).ToArray();
        new Random(seed).Shuffle(labels);
        return labels;
    }

    private static void AssertPartition(DataSplitResult split, int rows)
    {
        int[] all = [.. split.Train, .. split.Validation, .. split.Test];
        Assert.Equal(Enumerable.Range(0, rows), all.Order());
        Assert.Equal(split.Train.Order(), split.Train);
        Assert.Equal(split.Validation.Order(), split.Validation);
        Assert.Equal(split.Test.Order(), split.Test);
    }

    /// <summary>Each class has its share of each part, <c>rows(class) × rows(part) / rows</c>, within one row.</summary>
    private static void AssertProportional(DataSplitResult split, int[] labels)
    {
        foreach (var part in new[] { split.Train, split.Validation, split.Test })
        {
            foreach (var group in labels.GroupBy(label => label))
            {
                var expected = (double)group.Count() * part.Length / labels.Length;
                var actual = part.Count(row => labels[row] == group.Key);
                Assert.InRange(actual, expected - 1 + 1e-9, expected + 1 - 1e-9);
            }
        }
    }
}
