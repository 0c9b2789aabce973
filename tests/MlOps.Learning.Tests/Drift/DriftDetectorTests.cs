using MlOps.Learning.Drift;
using MlOps.Learning.Statistics;

namespace MlOps.Learning.Tests.Drift;

public sealed class DriftDetectorTests
{
    private static readonly DriftThresholds Defaults = new();

    [Fact]
    public void A_numeric_feature_with_a_small_reference_is_tested_with_kolmogorov_smirnov()
    {
        var reference = Normal(800, mean: 0, seed: 1);
        var same = Normal(2000, mean: 0, seed: 2);
        var shifted = Normal(2000, mean: 0.5, seed: 3);

        var calm = DriftDetector.Numeric("x", reference, reference.Length, same, Defaults);
        var moved = DriftDetector.Numeric("x", reference, reference.Length, shifted, Defaults);

        Assert.Equal(("ks", false), (calm.Test, calm.Drifted));
        var expected = KolmogorovSmirnov.TwoSample(reference, same);
        Assert.Equal((expected.Statistic, expected.PValue), (calm.Statistic, calm.PValue!.Value));
        Assert.Equal(0.05, calm.Threshold);
        Assert.Equal(("ks", true), (moved.Test, moved.Drifted));
        Assert.True(moved.PValue < 1e-10, $"p = {moved.PValue}");
    }

    [Fact]
    public void A_numeric_feature_with_a_large_reference_is_tested_with_the_normalized_wasserstein_distance()
    {
        // The reference is a sample of 5,000 rows: the row count, not the sample, chooses the test.
        var sample = Normal(1000, mean: 10, seed: 4);
        var same = Normal(3000, mean: 10, seed: 5);
        var shifted = Normal(3000, mean: 10.5, seed: 6);

        var calm = DriftDetector.Numeric("x", sample, referenceRows: 5000, same, Defaults);
        var moved = DriftDetector.Numeric("x", sample, referenceRows: 5000, shifted, Defaults);

        Assert.Equal(("wasserstein", false, (double?)null), (calm.Test, calm.Drifted, calm.PValue));
        Assert.Equal(Wasserstein.Normalized(sample, same), calm.Statistic);
        Assert.Equal(0.1, calm.Threshold);
        Assert.Equal(("wasserstein", true), (moved.Test, moved.Drifted));
        Assert.InRange(moved.Statistic, 0.4, 0.6);
    }

    [Fact]
    public void A_numeric_feature_with_few_distinct_values_is_tested_as_categorical()
    {
        double[] reference = [1, 2, 3, 1, 2, 3, 1, 2, 3, 4];
        double[] current = [1, 1, 1, 1, 2, 3, 4, 5, 1, 1];
        double[] binary = [0, 1, 0, 1, 1];

        Assert.Equal("chisquare", DriftDetector.Numeric("x", reference, reference.Length, current, Defaults).Test);
        Assert.Equal("z", DriftDetector.Numeric("x", binary, binary.Length, binary, Defaults).Test);
        Assert.Equal("jensenshannon", DriftDetector.Numeric("x", reference, 50_000, current, Defaults).Test);
    }

    [Fact]
    public void A_categorical_feature_with_a_small_reference_is_tested_with_chi_square_on_the_scaled_counts()
    {
        var reference = Counts(("morning", 300), ("afternoon", 300), ("evening", 400));
        var same = Counts(("morning", 60), ("afternoon", 60), ("evening", 80));
        var moved = Counts(("morning", 20), ("afternoon", 60), ("evening", 120));

        var calm = DriftDetector.Categorical("time_of_day", reference, same, Defaults);
        var drifted = DriftDetector.Categorical("time_of_day", reference, moved, Defaults);

        Assert.Equal(("chisquare", false), (calm.Test, calm.Drifted));
        Assert.Equal(0.0, calm.Statistic, 1e-12);
        Assert.Equal(1.0, calm.PValue!.Value, 1e-12);
        // Keys in ordinal order: afternoon, evening, morning; the reference scaled to the current total of 200.
        var expected = ChiSquareTest.GoodnessOfFit([60, 120, 20], [60, 80, 60]);
        Assert.Equal(expected.Statistic, drifted.Statistic, 1e-9);
        Assert.Equal(expected.PValue, drifted.PValue!.Value, 1e-15);
        Assert.True(drifted.Drifted);
    }

    [Fact]
    public void A_value_the_reference_never_had_is_drift_with_an_infinite_chi_square()
    {
        var reference = Counts(("a", 10), ("b", 10), ("c", 10));
        var current = Counts(("a", 10), ("b", 10), ("c", 9), ("d", 1));

        var drift = DriftDetector.Categorical("letter", reference, current, Defaults);

        Assert.Equal(("chisquare", double.PositiveInfinity, 0.0, true), (drift.Test, drift.Statistic, drift.PValue!.Value, drift.Drifted));
    }

    [Fact]
    public void A_two_valued_feature_is_tested_with_the_two_proportion_z_test()
    {
        var reference = Counts(("false", 500), ("true", 500));
        var moved = Counts(("false", 300), ("true", 700));

        var drift = DriftDetector.Categorical("device_mobile", reference, moved, Defaults);
        var single = DriftDetector.Categorical("flag", Counts(("on", 5)), Counts(("on", 7)), Defaults);

        var expected = TwoProportionZTest.Test(500, 1000, 700, 1000);
        Assert.Equal(("z", expected.Statistic, expected.PValue, true), (drift.Test, drift.Statistic, drift.PValue!.Value, drift.Drifted));
        Assert.Equal(("z", 1.0, false), (single.Test, single.PValue!.Value, single.Drifted));
    }

    [Fact]
    public void A_categorical_feature_with_a_large_reference_is_tested_with_the_jensen_shannon_distance()
    {
        var reference = Counts(("a", 4000), ("b", 4000), ("c", 2000));
        var same = Counts(("a", 40), ("b", 40), ("c", 20));
        var moved = Counts(("a", 10), ("b", 40), ("c", 50));

        var calm = DriftDetector.Categorical("letter", reference, same, Defaults);
        var drifted = DriftDetector.Categorical("letter", reference, moved, Defaults);

        Assert.Equal(("jensenshannon", false), (calm.Test, calm.Drifted));
        Assert.Equal(0.0, calm.Statistic, 1e-12);
        Assert.Equal(JensenShannon.Distance([4000, 4000, 2000], [10, 40, 50]), drifted.Statistic);
        Assert.True(drifted.Drifted);
    }

    [Fact]
    public void The_policy_thresholds_decide_the_verdict()
    {
        var reference = Normal(500, mean: 0, seed: 7);
        var shifted = Normal(500, mean: 0.3, seed: 8);
        var strict = new DriftThresholds(PValue: 1e-12, Distance: 10);

        var ks = DriftDetector.Numeric("x", reference, reference.Length, shifted, Defaults);
        var ksStrict = DriftDetector.Numeric("x", reference, reference.Length, shifted, strict);
        var distance = DriftDetector.Numeric("x", reference, 10_000, shifted, Defaults);
        var distanceStrict = DriftDetector.Numeric("x", reference, 10_000, shifted, strict);

        Assert.True(ks.Drifted);
        Assert.Equal((ks.Statistic, ks.PValue, false, 1e-12), (ksStrict.Statistic, ksStrict.PValue, ksStrict.Drifted, ksStrict.Threshold));
        Assert.True(distance.Drifted);
        Assert.Equal((distance.Statistic, false, 10.0), (distanceStrict.Statistic, distanceStrict.Drifted, distanceStrict.Threshold));
    }

    [Theory]
    [InlineData(0.5, true)]
    [InlineData(0.4, true)]
    [InlineData(0.6, false)]
    public void The_dataset_has_drifted_when_the_drifted_share_reaches_the_policy_share(double share, bool drifted)
    {
        FeatureDrift[] features =
        [
            new("a", "ks", 0.5, 0.001, 0.05, true),
            new("b", "ks", 0.01, 0.9, 0.05, false),
        ];

        var dataset = DriftDetector.Dataset(features, share);

        Assert.Equal(new DatasetDrift(2, 1, 0.5, share, drifted), dataset);
    }

    [Fact]
    public void Empty_data_and_a_sample_larger_than_its_reference_are_refused()
    {
        double[] values = [1, 2, 3, 4, 5, 6, 7];

        Assert.Throws<ArgumentException>(() => DriftDetector.Numeric("x", [], 10, values, Defaults));
        Assert.Throws<ArgumentException>(() => DriftDetector.Numeric("x", values, values.Length, [], Defaults));
        Assert.Throws<ArgumentOutOfRangeException>(() => DriftDetector.Numeric("x", values, 3, values, Defaults));
        Assert.Throws<ArgumentException>(() => DriftDetector.Categorical("c", Counts(("a", 0)), Counts(("a", 1)), Defaults));
        Assert.Throws<ArgumentOutOfRangeException>(() => DriftDetector.Categorical("c", Counts(("a", -1)), Counts(("a", 1)), Defaults));
        Assert.Throws<ArgumentException>(() => DriftDetector.Dataset([], 0.5));
    }

    private static Dictionary<string, long> Counts(params (string Value, long Count)[] counts) =>
        counts.ToDictionary(c => c.Value, c => c.Count);

    private static double[] Normal(int count, double mean, int seed)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            // Box–Muller: a standard normal from two uniforms.
            var u = 1.0 - random.NextDouble();
            values[i] = mean + (Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * random.NextDouble()));
        }

        return values;
    }
}
