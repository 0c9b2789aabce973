using MlOps.Learning.Statistics;

namespace MlOps.Learning.Tests.Statistics;

public sealed class DoubleSortTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(DoubleSort.RadixThreshold)]
    [InlineData(100_003)]
    public void Sorts_as_a_comparison_sort_does(int count)
    {
        var random = new Random(count);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (i % 7) switch
            {
                0 => -random.NextDouble() * 1e6,
                1 => random.NextDouble() * 1e-300,
                2 => Math.Round(random.NextDouble() * 10), // many ties
                3 => double.MaxValue * (random.NextDouble() - 0.5),
                4 => i % 2 == 0 ? 0.0 : -0.0,
                5 => -double.Epsilon,
                _ => random.NextDouble() - 0.5,
            };
        }

        var expected = values.ToArray();
        Array.Sort(expected);
        DoubleSort.Sort(values);

        // Equal as numbers (-0.0 and 0.0 may trade places; they are equal).
        Assert.Equal(expected, values);
        for (var i = 1; i < values.Length; i++)
        {
            Assert.True(values[i - 1] <= values[i], $"{values[i - 1]} before {values[i]} at {i}");
        }
    }

    [Fact]
    public void Values_that_share_their_high_bits_are_sorted_by_the_low_ones()
    {
        var values = Enumerable.Range(0, 10_000).Select(i => 1.0 + ((9_999 - i) * Math.Pow(2, -52))).ToArray();

        DoubleSort.Sort(values);

        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => 1.0 + (i * Math.Pow(2, -52))), values);
    }
}
