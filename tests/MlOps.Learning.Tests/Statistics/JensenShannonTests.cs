using MlOps.Learning.Statistics;

namespace MlOps.Learning.Tests.Statistics;

public class JensenShannonTests
{
    public static TheoryData<string> Cases => DriftFixture.Names("jensenshannon.json", "cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Distance_matches_scipy_jensenshannon(string name)
    {
        var json = DriftFixture.Case("jensenshannon.json", "cases", name);

        var distance = JensenShannon.Distance(Fixture.Doubles(json.GetProperty("p")), Fixture.Doubles(json.GetProperty("q")));

        DriftFixture.Statistic(json.GetProperty("distance").GetDouble(), distance, name);
    }

    [Fact]
    public void Identical_distributions_are_at_distance_zero()
    {
        Assert.Equal(0.0, JensenShannon.Distance([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]));
    }

    [Fact]
    public void Disjoint_distributions_are_at_the_largest_distance()
    {
        Assert.Equal(Math.Sqrt(Math.Log(2)), JensenShannon.Distance([1.0, 0.0], [0.0, 3.0]), 1e-15);
    }

    [Fact]
    public void Invalid_counts_are_rejected()
    {
        Assert.Contains("same length", Assert.Throws<ArgumentException>(() => JensenShannon.Distance([1.0, 2.0], [1.0])).Message);
        Assert.Contains("q[0] is -1", Assert.Throws<ArgumentException>(() => JensenShannon.Distance([1.0], [-1.0])).Message);
        Assert.Contains("p holds only zeros", Assert.Throws<ArgumentException>(() => JensenShannon.Distance([0.0, 0.0], [1.0, 1.0])).Message);
        Assert.Contains("p is empty", Assert.Throws<ArgumentException>(() => JensenShannon.Distance([], [])).Message);
    }
}
