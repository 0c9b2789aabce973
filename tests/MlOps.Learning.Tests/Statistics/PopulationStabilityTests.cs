using MlOps.Learning.Statistics;

namespace MlOps.Learning.Tests.Statistics;

public class PopulationStabilityTests
{
    public static TheoryData<string> NumericCases => DriftFixture.Names("psi.json", "numeric");

    public static TheoryData<string> CountCases => DriftFixture.Names("psi.json", "counts");

    [Theory]
    [MemberData(nameof(NumericCases))]
    public void Numeric_samples_are_binned_and_scored_as_evidently_does(string name)
    {
        var json = DriftFixture.Case("psi.json", "numeric", name);

        var psi = PopulationStability.Numeric(Fixture.Doubles(json.GetProperty("reference")), Fixture.Doubles(json.GetProperty("current")));

        DriftFixture.Statistic(json.GetProperty("psi").GetDouble(), psi, name);
    }

    [Theory]
    [MemberData(nameof(CountCases))]
    public void Counts_are_scored_as_evidently_does(string name)
    {
        var json = DriftFixture.Case("psi.json", "counts", name);

        var psi = PopulationStability.FromCounts(Fixture.Doubles(json.GetProperty("reference")), Fixture.Doubles(json.GetProperty("current")));

        DriftFixture.Statistic(json.GetProperty("psi").GetDouble(), psi, name);
    }

    [Fact]
    public void An_empty_current_bin_takes_the_share_one_in_ten_thousand()
    {
        // Shares 0.5, 0.5 against 1.0, 0 → 0.0001: (0.5 − 1)·ln(0.5) + (0.5 − 0.0001)·ln(0.5 / 0.0001).
        var expected = (-0.5 * Math.Log(0.5)) + (0.4999 * Math.Log(5000));

        Assert.Equal(expected, PopulationStability.FromCounts([5.0, 5.0], [7.0, 0.0]), 1e-12);
    }

    [Fact]
    public void Identical_distributions_have_index_zero()
    {
        Assert.Equal(0.0, PopulationStability.FromCounts([10.0, 20.0, 30.0], [1.0, 2.0, 3.0]), 1e-15);
    }

    [Fact]
    public void Invalid_inputs_are_rejected()
    {
        Assert.Contains("same length", Assert.Throws<ArgumentException>(() => PopulationStability.FromCounts([1.0, 2.0], [1.0])).Message);
        Assert.Contains("currentCounts holds only zeros", Assert.Throws<ArgumentException>(() => PopulationStability.FromCounts([1.0], [0.0])).Message);
        Assert.Contains("referenceCounts[0] is -2", Assert.Throws<ArgumentException>(() => PopulationStability.FromCounts([-2.0], [1.0])).Message);
        Assert.Contains("reference is empty", Assert.Throws<ArgumentException>(() => PopulationStability.Numeric([], [1.0])).Message);
        Assert.Contains("current[0] is NaN", Assert.Throws<ArgumentException>(() => PopulationStability.Numeric([1.0], [double.NaN])).Message);
    }
}
