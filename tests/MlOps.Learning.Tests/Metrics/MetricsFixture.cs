using System.Text.Json;
using MlOps.Learning.Metrics;

namespace MlOps.Learning.Tests.Metrics;

/// <summary>Reads the cases Fixtures/metrics/make_metrics_fixtures.py wrote with scikit-learn 1.2.</summary>
internal static class MetricsFixture
{
    public static JsonElement Case(string name) => Fixture.Json(Path.Combine("metrics", name));

    public static void AssertConfusion(JsonElement expected, ConfusionMatrix actual)
    {
        var rows = expected.EnumerateArray().ToArray();
        Assert.Equal(rows.Length, actual.ClassCount);
        for (var a = 0; a < rows.Length; a++)
        {
            var counts = rows[a].EnumerateArray().Select(e => e.GetInt64()).ToArray();
            for (var p = 0; p < counts.Length; p++)
            {
                Assert.True(counts[p] == actual[a, p], $"confusion[{a}, {p}]: expected {counts[p]}, got {actual[a, p]}.");
            }
        }
    }
}
