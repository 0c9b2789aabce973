using MlOps.Learning.Statistics;

namespace MlOps.Learning.Tests.Statistics;

public class WassersteinTests
{
    public static TheoryData<string> Cases => DriftFixture.Names("wasserstein.json", "cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Distance_and_normalized_distance_match_scipy_and_evidently(string name)
    {
        var json = DriftFixture.Case("wasserstein.json", "cases", name);
        var reference = Fixture.Doubles(json.GetProperty("reference"));
        var current = Fixture.Doubles(json.GetProperty("current"));

        DriftFixture.Statistic(json.GetProperty("distance").GetDouble(), Wasserstein.Distance(reference, current), $"{name} distance");
        DriftFixture.Statistic(json.GetProperty("normalized").GetDouble(), Wasserstein.Normalized(reference, current), $"{name} normalized");
    }

    [Fact]
    public void Shifting_a_sample_moves_it_by_the_shift()
    {
        Assert.Equal(2.5, Wasserstein.Distance([1.0, 2.0, 4.0], [3.5, 4.5, 6.5]), 1e-15);
    }

    [Fact]
    public void A_constant_reference_is_scaled_by_the_floor()
    {
        // Distance |3 − 3.002| = 0.002; the reference's standard deviation is 0, so it is divided by 0.001.
        Assert.Equal(2.0, Wasserstein.Normalized([3.0, 3.0, 3.0], [3.002]), 1e-9);
    }

    [Fact]
    public void Empty_or_non_finite_samples_are_rejected()
    {
        Assert.Contains("current is empty", Assert.Throws<ArgumentException>(() => Wasserstein.Distance([1.0], [])).Message);
        Assert.Contains("reference[2] is NaN", Assert.Throws<ArgumentException>(() => Wasserstein.Normalized([1.0, 2.0, double.NaN], [1.0])).Message);
    }
}
