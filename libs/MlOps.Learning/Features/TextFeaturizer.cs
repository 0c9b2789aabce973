using System.Buffers;
using MlOps.Learning.Data;

namespace MlOps.Learning.Features;

/// <summary>
/// Free text as TF-IDF weighted, L2-normalized hashed n-grams (see <see cref="TextHashing"/>): term frequency is the raw
/// count in the document, IDF is scikit-learn's smoothed <c>ln((1 + n) / (1 + df)) + 1</c> over the training documents,
/// and each document's vector is scaled to unit length.
/// </summary>
public sealed class TextFeaturizer(string column, int offset, int hashBits, double[] idf, int trainingDocuments)
    : ColumnFeaturizer(column, ColumnType.Text, offset, 1 << hashBits)
{
    public int HashBits { get; } = hashBits;

    /// <summary>One weight per bucket; buckets never seen in training have the largest weight.</summary>
    public double[] Idf { get; } = idf;

    public int TrainingDocuments { get; } = trainingDocuments;

    public override int MaxEntries(in FeatureValue value) => value.Text is null ? 0 : TextHashing.MaxOccurrences(value.Text.Length);

    public override void Write(in FeatureValue value, ref FeatureWriter writer)
    {
        if (string.IsNullOrEmpty(value.Text))
        {
            return;
        }

        var bucketArray = ArrayPool<int>.Shared.Rent(TextHashing.MaxOccurrences(value.Text.Length));
        try
        {
            var buckets = bucketArray.AsSpan(0, TextHashing.Hash(value.Text, Width, bucketArray));
            buckets.Sort();

            // Two passes over the sorted occurrences (runs of one bucket are its count): the norm, then the entries.
            var squares = 0.0;
            for (var i = 0; i < buckets.Length;)
            {
                var start = i;
                i = EndOfRun(buckets, i);
                var weight = (i - start) * Idf[buckets[start]];
                squares += weight * weight;
            }

            var norm = Math.Sqrt(squares);
            for (var i = 0; i < buckets.Length;)
            {
                var start = i;
                i = EndOfRun(buckets, i);
                writer.Add(Offset + buckets[start], (i - start) * Idf[buckets[start]] / norm);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(bucketArray);
        }
    }

    internal static TextFeaturizer Fit(DataColumn column, int offset, FeaturizerOptions options)
    {
        var bucketCount = 1 << options.TextHashBits;
        var documentFrequency = new int[bucketCount];
        var scratch = Array.Empty<int>();
        for (var row = 0; row < column.Length; row++)
        {
            var text = ValueAt(column, row).Text;
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            var needed = TextHashing.MaxOccurrences(text.Length);
            if (scratch.Length < needed)
            {
                scratch = new int[Math.Max(needed, scratch.Length * 2)];
            }

            var buckets = scratch.AsSpan(0, TextHashing.Hash(text, bucketCount, scratch));
            buckets.Sort();
            for (var i = 0; i < buckets.Length; i++)
            {
                if (i == 0 || buckets[i] != buckets[i - 1])
                {
                    documentFrequency[buckets[i]]++;
                }
            }
        }

        // Every row is a document, empty ones included, as in scikit-learn.
        var documents = column.Length;
        var idf = new double[bucketCount];
        for (var bucket = 0; bucket < bucketCount; bucket++)
        {
            idf[bucket] = Math.Log((1.0 + documents) / (1.0 + documentFrequency[bucket])) + 1.0;
        }

        return new TextFeaturizer(column.Name, offset, options.TextHashBits, idf, documents);
    }

    private static int EndOfRun(ReadOnlySpan<int> sorted, int start)
    {
        var end = start + 1;
        while (end < sorted.Length && sorted[end] == sorted[start])
        {
            end++;
        }

        return end;
    }
}
