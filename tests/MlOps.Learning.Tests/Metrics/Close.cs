namespace MlOps.Learning.Tests.Metrics;

/// <summary>Agreement with scikit-learn's numbers: within a tolerance, absolute near 0 and relative for large values.</summary>
internal static class Close
{
    public const double Tolerance = 1e-9;

    public static void Equal(double expected, double actual, string what, double tolerance = Tolerance)
    {
        var allowed = tolerance * Math.Max(1, Math.Abs(expected));
        Assert.True(
            Math.Abs(expected - actual) <= allowed,
            $"{what}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):E2}).");
    }
}
