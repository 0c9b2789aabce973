using System.Text.Json;

namespace MlOps.Learning.Tests.Statistics;

/// <summary>Reads the cases Fixtures/drift/make_drift_fixtures.py wrote with SciPy 1.10.1, and compares numbers with SciPy's.</summary>
internal static class DriftFixture
{
    /// <summary>The agreement issue #8 asks for: 1e-6 absolute on statistics (relative above 1), 1e-6 relative on p-values.</summary>
    public const double Tolerance = 1e-6;

    public static JsonElement File(string name) => Fixture.Json(Path.Combine("drift", name));

    /// <summary>The named case of a file's <paramref name="list"/>.</summary>
    public static JsonElement Case(string file, string list, string name) =>
        File(file).GetProperty(list).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static TheoryData<string> Names(string file, string list)
    {
        var names = new TheoryData<string>();
        foreach (var c in File(file).GetProperty(list).EnumerateArray())
        {
            names.Add(c.GetProperty("name").GetString()!);
        }

        return names;
    }

    /// <summary>The rows of a grid (a table of numbers with named columns).</summary>
    public static double[][] Rows(string file, string grid) =>
        File(file).GetProperty(grid).GetProperty("rows").EnumerateArray().Select(Fixture.Doubles).ToArray();

    public static void Statistic(double expected, double actual, string what, double tolerance = Tolerance)
    {
        var allowed = tolerance * Math.Max(1, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= allowed,
            $"{what}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):E2}).");
    }

    /// <summary>Relative agreement, which for p-values near 1 is also absolute; an expected 0 needs an actual below 1e-300.</summary>
    public static void Relative(double expected, double actual, string what, double tolerance = Tolerance)
    {
        var allowed = Math.Max(tolerance * Math.Abs(expected), 1e-300);
        Assert.True(Math.Abs(expected - actual) <= allowed,
            $"{what}: expected {expected:R}, got {actual:R} (relative difference {Math.Abs(expected - actual) / Math.Abs(expected):E2}).");
    }
}
