namespace MlOps.Learning.Features;

/// <summary>
/// A picture's vector cut down to <see cref="Dimensions"/> numbers by a fixed random projection (Achlioptas: each
/// entry ±1/√k, the sign from SplitMix64 of its place, so every process computes the same one with no table): what a
/// model's reference profile samples and the inference log keeps, so the monitor can compare the pictures served with
/// those trained on without the pictures. Distances between vectors survive the projection approximately
/// (Johnson–Lindenstrauss), which is what a drift test between two sets of vectors needs.
/// </summary>
public static class ImageSketch
{
    public const int Dimensions = 32;

    public static float[] Of(ReadOnlySpan<float> vector)
    {
        var sketch = new float[Dimensions];
        var scale = 1 / Math.Sqrt(Dimensions);
        for (var j = 0; j < Dimensions; j++)
        {
            double sum = 0;
            for (var i = 0; i < vector.Length; i++)
            {
                sum += Positive(((ulong)j * (ulong)vector.Length) + (ulong)i) ? vector[i] : -vector[i];
            }

            sketch[j] = (float)(sum * scale);
        }

        return sketch;
    }

    /// <summary>The sketches of up to <paramref name="count"/> present pictures of the column, chosen with the seed (every one when fewer).</summary>
    public static float[][] Sample(Data.EmbeddingColumn column, int count, long seed)
    {
        ArgumentNullException.ThrowIfNull(column);
        var present = new List<int>(column.Length);
        for (var row = 0; row < column.Length; row++)
        {
            if (!column.Missing[row])
            {
                present.Add(row);
            }
        }

        // A partial Fisher–Yates shuffle: the first `count` places hold a uniform sample.
        var random = new Data.DataSplitRandom(seed);
        var taken = Math.Min(count, present.Count);
        for (var i = 0; i < taken; i++)
        {
            var j = i + random.NextInt(present.Count - i);
            (present[i], present[j]) = (present[j], present[i]);
        }

        var sketches = new float[taken][];
        for (var i = 0; i < taken; i++)
        {
            sketches[i] = Of(column.VectorAt(present[i]).Span);
        }

        return sketches;
    }

    /// <summary>SplitMix64's output for <paramref name="index"/>: its top bit decides the sign.</summary>
    private static bool Positive(ulong index)
    {
        var z = (index + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return ((z ^ (z >> 31)) >> 63) == 0;
    }
}
