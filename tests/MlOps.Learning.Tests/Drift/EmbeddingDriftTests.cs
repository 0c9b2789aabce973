using MlOps.Learning.Drift;
using MlOps.Learning.Features;

namespace MlOps.Learning.Tests.Drift;

public sealed class EmbeddingDriftTests
{
    private static float[][] Vectors(int count, int seed, float shift = 0)
    {
        var random = new Random(seed);
        var vectors = new float[count][];
        for (var i = 0; i < count; i++)
        {
            vectors[i] = new float[ImageSketch.Dimensions];
            for (var d = 0; d < vectors[i].Length; d++)
            {
                vectors[i][d] = (float)(random.NextDouble() + random.NextDouble() - 1 + (d < 4 ? shift : 0));
            }
        }

        return vectors;
    }

    [Fact]
    public void Vectors_from_one_distribution_do_not_drift()
    {
        var drift = EmbeddingDrift.DomainClassifier("photo", Vectors(400, 1), Vectors(300, 2));

        Assert.Equal(("photo", "domain-classifier", 0.55, false), (drift.Feature, drift.Test, drift.Threshold, drift.Drifted));
        Assert.InRange(drift.Statistic, 0.35, 0.55);
        Assert.Null(drift.PValue);
    }

    [Fact]
    public void Vectors_moved_along_a_few_directions_drift_and_the_auc_grows_with_the_move()
    {
        var small = EmbeddingDrift.DomainClassifier("photo", Vectors(400, 1), Vectors(300, 3, shift: 0.15f));
        var large = EmbeddingDrift.DomainClassifier("photo", Vectors(400, 1), Vectors(300, 3, shift: 0.5f));

        Assert.True(small.Drifted, $"AUC {small.Statistic}");
        Assert.True(large.Drifted);
        Assert.InRange(large.Statistic, Math.Max(0.9, small.Statistic), 1.0);
    }

    [Fact]
    public void The_verdict_is_the_same_on_every_run_and_too_few_vectors_are_not_tested()
    {
        Assert.Equal(
            EmbeddingDrift.DomainClassifier("photo", Vectors(100, 1), Vectors(100, 4, 0.2f)),
            EmbeddingDrift.DomainClassifier("photo", Vectors(100, 1), Vectors(100, 4, 0.2f)));
        var error = Assert.Throws<ArgumentException>(() => EmbeddingDrift.DomainClassifier("photo", Vectors(100, 1), Vectors(19, 4)));
        Assert.Equal("Feature 'photo' needs at least 20 vectors on each side; it has 100 and 19.", error.Message);
    }

    [Fact]
    public void A_sketch_is_fixed_and_keeps_lengths_and_distances_roughly()
    {
        var random = new Random(5);
        var ratios = new List<double>();
        for (var trial = 0; trial < 200; trial++)
        {
            var a = Enumerable.Range(0, 512).Select(_ => (float)random.NextDouble()).ToArray();
            var b = Enumerable.Range(0, 512).Select(_ => (float)random.NextDouble()).ToArray();
            var difference = a.Zip(b, (x, y) => x - y).ToArray();
            ratios.Add(SquaredLength(ImageSketch.Of(difference)) / SquaredLength(difference));
            Assert.Equal(ImageSketch.Of(a), ImageSketch.Of(a));
        }

        // E[|Rx|²] = |x|² for the ±1/√k projection; each ratio scatters around 1 as a χ²₃₂/32.
        Assert.InRange(ratios.Average(), 0.9, 1.1);
        Assert.Equal(ImageSketch.Dimensions, ImageSketch.Of(new float[512]).Length);
    }

    private static double SquaredLength(float[] vector) => vector.Sum(v => (double)v * v);
}
