namespace MlOps.Learning.Trees;

/// <summary>
/// The sums of gradients and hessians, and the row counts, of a node's rows by bin of each feature: what a split is
/// chosen from. Flat arrays of 256 slots a feature (bin 0 is the missing bin).
/// </summary>
public sealed class Histogram
{
    public const int SlotsPerFeature = 256;

    public Histogram(int features)
    {
        FeatureCount = features;
        Gradients = new double[features * SlotsPerFeature];
        Hessians = new double[features * SlotsPerFeature];
        Counts = new int[features * SlotsPerFeature];
    }

    public int FeatureCount { get; }

    public double[] Gradients { get; }

    public double[] Hessians { get; }

    public int[] Counts { get; }

    /// <summary>
    /// Fills the histogram from the rows <paramref name="rows"/>[<paramref name="start"/>..+<paramref name="count"/>]
    /// (every row when <paramref name="rows"/> is null); features are built side by side.
    /// </summary>
    /// <param name="featureMask">When given, features marked false are left empty (they may not split).</param>
    public void Build(BinnedFeatures features, double[] gradients, double[] hessians, int[]? rows, int start = 0, int count = 0, bool[]? featureMask = null)
    {
        Array.Clear(Gradients);
        Array.Clear(Hessians);
        Array.Clear(Counts);
        Parallel.For(0, FeatureCount, feature =>
        {
            if (featureMask is null || featureMask[feature])
            {
                BuildFeature(features.Column(feature), gradients, hessians, rows is null ? (ArraySegment<int>?)null : new ArraySegment<int>(rows, start, count), feature * SlotsPerFeature);
            }
        });
    }

    private void BuildFeature(ReadOnlySpan<byte> column, double[] gradients, double[] hessians, ArraySegment<int>? rows, int offset)
    {
        var gradientSums = Gradients.AsSpan(offset, SlotsPerFeature);
        var hessianSums = Hessians.AsSpan(offset, SlotsPerFeature);
        var counts = Counts.AsSpan(offset, SlotsPerFeature);
        if (rows is null)
        {
            for (var row = 0; row < column.Length; row++)
            {
                var bin = column[row];
                gradientSums[bin] += gradients[row];
                hessianSums[bin] += hessians[row];
                counts[bin]++;
            }

            return;
        }

        foreach (var row in rows.Value.AsSpan())
        {
            var bin = column[row];
            gradientSums[bin] += gradients[row];
            hessianSums[bin] += hessians[row];
            counts[bin]++;
        }
    }

    /// <summary>This histogram less <paramref name="part"/>: a parent's becomes its larger child's without reading rows.</summary>
    public void Subtract(Histogram part)
    {
        System.Numerics.Tensors.TensorPrimitives.Subtract(Gradients, part.Gradients, Gradients);
        System.Numerics.Tensors.TensorPrimitives.Subtract(Hessians, part.Hessians, Hessians);
        for (var i = 0; i < Counts.Length; i++)
        {
            Counts[i] -= part.Counts[i];
        }
    }
}
