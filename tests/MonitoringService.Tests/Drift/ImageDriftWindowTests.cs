using System.Text;
using MlOps.Contracts.Datasets;
using MlOps.Contracts.Registry;
using MlOps.Learning.Drift;
using MlOps.Learning.Features;
using MlOps.MonitoringService.Drift;

namespace MlOps.MonitoringService.Tests.Drift;

/// <summary>An image column's drift: the inference log's sketches against the reference profile's, by a domain classifier.</summary>
public sealed class ImageDriftWindowTests
{
    private static readonly ColumnProfile Photo = new("photo", "image", 0, 500, false, null, null, null, null);

    private static ReferenceProfile Reference(float[][] sketches) => new(
        "shop", 1, new DatasetProfile(500, [Photo]), new DatasetProfile(500, []), ImageSketches: new Dictionary<string, float[][]> { ["photo"] = sketches });

    /// <summary>Sketches of vectors whose first dimensions lean by <paramref name="shift"/>.</summary>
    private static float[][] Sketches(int count, int seed, float shift = 0)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => ImageSketch.Of(Enumerable.Range(0, 512).Select(d => (float)random.NextDouble() + (d < 64 ? shift : 0)).ToArray()))];
    }

    /// <summary>Inference-log lines as serving exports them: the picture's identity and sketch, the label.</summary>
    private static byte[] Lines(float[][] sketches) => Encoding.UTF8.GetBytes(string.Concat(sketches.Select(sketch =>
        "{\"id\":\"00000000-0000-0000-0000-000000000001\",\"version\":1,\"inputs\":{\"photo\":{\"sha256\":\"ab\",\"bytes\":10,\"sketch\":[" +
        string.Join(',', sketch.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) +
        "]}},\"output\":{\"label\":\"a\"}}\n")));

    [Theory]
    [InlineData(0f, false)]
    [InlineData(0.3f, true)]
    public void Served_pictures_are_compared_with_the_trained_ones_by_their_sketches(float shift, bool drifted)
    {
        var window = new DriftWindow(Reference(Sketches(500, 1)), classes: []);
        window.AddLines(Lines(Sketches(300, 2, shift)), int.MaxValue);

        var report = window.Report(new DriftThresholds(), driftShare: 0.5, minPredictions: 100, null, null);

        var photo = Assert.Single(report.Features);
        Assert.Equal(("photo", "image", "domain-classifier", 0.55, 300L), (photo.Feature, photo.Type, photo.Test, photo.Threshold, photo.CurrentValues));
        Assert.Equal(drifted, photo.Drifted);
        Assert.Equal(drifted, report.DatasetDrift);
    }

    [Fact]
    public void A_version_without_sketches_says_why_its_pictures_are_not_tested()
    {
        var window = new DriftWindow(Reference(Sketches(5, 1)), classes: []);

        var report = window.Report(new DriftThresholds(), driftShare: 0.5, minPredictions: 0, null, null);

        Assert.Contains(report.Skipped, skipped => skipped.Feature == "photo" && skipped.Reason.Contains("too few sketches", StringComparison.Ordinal));
    }
}
