using System.Globalization;
using MlOps.Learning.Statistics;

namespace MlOps.Learning.Drift;

/// <summary>What a drift check concludes about one feature (or the prediction): the test, its result, the threshold, and the verdict.</summary>
/// <param name="Test"><c>ks</c>, <c>chisquare</c>, <c>z</c> (p-value tests), <c>wasserstein</c>, <c>jensenshannon</c> (distances) or <c>domain-classifier</c> (pictures: its ROC AUC).</param>
/// <param name="Statistic">The test's statistic, or the distance.</param>
/// <param name="PValue">The p-value of a p-value test; none for a distance.</param>
/// <param name="Threshold">Drift when the p-value is below it, or the distance at or above it.</param>
public sealed record FeatureDrift(string Feature, string Test, double Statistic, double? PValue, double Threshold, bool Drifted);

/// <summary>
/// The tests' thresholds: 0.05 on p-values, 0.1 on distances and 0.55 on a domain classifier's ROC AUC (pictures) by
/// default, as Evidently's.
/// </summary>
public sealed record DriftThresholds(double PValue = 0.05, double Distance = 0.1, double DomainClassifierAuc = EmbeddingDrift.DefaultThreshold);

/// <summary>The dataset verdict: drift when the share of drifted features reaches the policy's share.</summary>
public sealed record DatasetDrift(int Features, int DriftedFeatures, double DriftedShare, double DriftShare, bool Drifted);

/// <summary>
/// Chooses and runs the test for a feature the way Evidently's default does (<c>_get_default_stattest</c>): with at
/// most 1,000 reference rows, Kolmogorov–Smirnov for a numeric feature, chi-square for a categorical one (the
/// two-proportion z-test when there are only two values); above 1,000 rows, the normalized Wasserstein distance for
/// a numeric feature and the Jensen–Shannon distance for a categorical one. A numeric feature with at most five
/// distinct values over both samples is tested as categorical.
/// </summary>
public static class DriftDetector
{
    /// <summary>At most this many reference rows: the p-value tests; more: the distances.</summary>
    public const long SmallReference = 1000;

    /// <summary>A numeric feature with at most this many distinct values is tested as categorical.</summary>
    public const int CategoricalDistinctValues = 5;

    /// <summary>
    /// A numeric feature. <paramref name="reference"/> may be a sample of the reference data;
    /// <paramref name="referenceRows"/> is how many rows the reference data has, which chooses the test.
    /// </summary>
    public static FeatureDrift Numeric(
        string feature, ReadOnlySpan<double> reference, long referenceRows, ReadOnlySpan<double> current, DriftThresholds thresholds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(referenceRows, reference.Length);
        if (reference.IsEmpty || current.IsEmpty)
        {
            throw new ArgumentException($"Feature '{feature}' needs values in both the reference and the current data.");
        }

        if (FewDistinctValues(reference, current) is { } counts)
        {
            return Categorical(feature, counts.Reference, counts.Current, thresholds, referenceRows);
        }

        if (referenceRows <= SmallReference)
        {
            var ks = KolmogorovSmirnov.TwoSample(reference, current);
            return ByPValue(feature, "ks", ks, thresholds);
        }

        var distance = Wasserstein.Normalized(reference, current);
        return ByDistance(feature, "wasserstein", distance, thresholds);
    }

    /// <summary>A categorical (or boolean) feature, as counts of each value in the reference and current data.</summary>
    public static FeatureDrift Categorical(
        string feature, IReadOnlyDictionary<string, long> reference, IReadOnlyDictionary<string, long> current, DriftThresholds thresholds) =>
        Categorical(feature, reference, current, thresholds, referenceRows: null);

    /// <summary>The dataset has drifted when the drifted features make up at least <paramref name="driftShare"/> of them.</summary>
    public static DatasetDrift Dataset(IReadOnlyList<FeatureDrift> features, double driftShare)
    {
        if (features.Count == 0)
        {
            throw new ArgumentException("A dataset verdict needs at least one feature.", nameof(features));
        }

        var drifted = 0;
        foreach (var feature in features)
        {
            drifted += feature.Drifted ? 1 : 0;
        }

        var share = (double)drifted / features.Count;
        return new DatasetDrift(features.Count, drifted, share, driftShare, share >= driftShare);
    }

    private static FeatureDrift Categorical(
        string feature,
        IReadOnlyDictionary<string, long> reference,
        IReadOnlyDictionary<string, long> current,
        DriftThresholds thresholds,
        long? referenceRows)
    {
        // Evidently orders the values and, for the z-test, counts the first as failure and every other as success.
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        long referenceTotal = 0, currentTotal = 0;
        foreach (var (key, count) in reference)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(count);
            if (count > 0)
            {
                keys.Add(key);
                referenceTotal += count;
            }
        }

        foreach (var (key, count) in current)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(count);
            if (count > 0)
            {
                keys.Add(key);
                currentTotal += count;
            }
        }

        if (referenceTotal == 0 || currentTotal == 0)
        {
            throw new ArgumentException($"Feature '{feature}' needs values in both the reference and the current data.");
        }

        var referenceCounts = new double[keys.Count];
        var currentCounts = new double[keys.Count];
        var index = 0;
        foreach (var key in keys)
        {
            referenceCounts[index] = reference.GetValueOrDefault(key);
            currentCounts[index] = current.GetValueOrDefault(key);
            index++;
        }

        if ((referenceRows ?? referenceTotal) > SmallReference)
        {
            return ByDistance(feature, "jensenshannon", JensenShannon.Distance(referenceCounts, currentCounts), thresholds);
        }

        if (keys.Count <= 2)
        {
            var first = keys.Min!;
            var z = TwoProportionZTest.Test(
                referenceTotal - reference.GetValueOrDefault(first), referenceTotal,
                currentTotal - current.GetValueOrDefault(first), currentTotal);
            return ByPValue(feature, "z", z, thresholds);
        }

        // A value the reference never had cannot be expected: chi-square is infinite and the feature has drifted.
        for (var i = 0; i < referenceCounts.Length; i++)
        {
            if (referenceCounts[i] == 0)
            {
                return ByPValue(feature, "chisquare", new TestResult(double.PositiveInfinity, 0), thresholds);
            }
        }

        return ByPValue(feature, "chisquare", ChiSquareTest.CompareCounts(referenceCounts, currentCounts), thresholds);
    }

    /// <summary>Both samples' value counts when they hold at most five distinct values together; otherwise none.</summary>
    private static (Dictionary<string, long> Reference, Dictionary<string, long> Current)? FewDistinctValues(
        ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var distinct = new HashSet<double>();
        foreach (var value in reference)
        {
            if (distinct.Add(value) && distinct.Count > CategoricalDistinctValues)
            {
                return null;
            }
        }

        foreach (var value in current)
        {
            if (distinct.Add(value) && distinct.Count > CategoricalDistinctValues)
            {
                return null;
            }
        }

        return (Count(reference), Count(current));
    }

    private static Dictionary<string, long> Count(ReadOnlySpan<double> values)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var key = value.ToString("R", CultureInfo.InvariantCulture);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts;
    }

    private static FeatureDrift ByPValue(string feature, string test, TestResult result, DriftThresholds thresholds) =>
        new(feature, test, result.Statistic, result.PValue, thresholds.PValue, result.PValue < thresholds.PValue);

    private static FeatureDrift ByDistance(string feature, string test, double distance, DriftThresholds thresholds) =>
        new(feature, test, distance, null, thresholds.Distance, distance >= thresholds.Distance);
}
