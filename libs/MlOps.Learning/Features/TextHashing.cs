using System.Buffers;
using System.Text;

namespace MlOps.Learning.Features;

/// <summary>
/// Text to hashed n-gram occurrences, as scikit-learn's <c>HashingVectorizer</c> produces them for lowercased text:
/// word unigrams and bigrams from the default token pattern <c>(?u)\b\w\w+\b</c> (bigrams joined by one space), and
/// character trigrams inside word boundaries (<c>analyzer="char_wb"</c>: each whitespace-separated word padded with
/// one space on each side). Every n-gram's UTF-8 bytes are hashed with MurmurHash3 (seed 0) into a bucket. Works on
/// spans with pooled scratch space, so scoring allocates nothing.
/// </summary>
internal static class TextHashing
{
    /// <summary>An upper bound on the occurrences <see cref="Hash"/> writes for a text of this length.</summary>
    public static int MaxOccurrences(int textLength) => (4 * textLength) + 4;

    /// <summary>Writes the bucket of every n-gram occurrence to <paramref name="buckets"/>; returns how many.</summary>
    public static int Hash(ReadOnlySpan<char> text, int bucketCount, Span<int> buckets)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        var lowerArray = ArrayPool<char>.Shared.Rent(text.Length + 2);
        var tokenArray = ArrayPool<int>.Shared.Rent(text.Length + 1);
        var bytesArray = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount((2 * text.Length) + 3));
        try
        {
            // The text, lowercased, with room for the padding of char_wb trigrams.
            var lower = lowerArray.AsSpan(0, text.Length);
            text.ToLowerInvariant(lower);
            var count = 0;

            // Word tokens: maximal runs of word characters, kept when at least two long; stored as start/end pairs.
            var tokenCount = 0;
            var tokens = tokenArray.AsSpan();
            for (var i = 0; i < lower.Length;)
            {
                if (!IsWordChar(lower[i]))
                {
                    i++;
                    continue;
                }

                var start = i;
                while (i < lower.Length && IsWordChar(lower[i]))
                {
                    i++;
                }

                if (i - start >= 2)
                {
                    tokens[tokenCount++] = start;
                    tokens[tokenCount++] = i;
                }
            }

            var bytes = bytesArray.AsSpan();
            for (var t = 0; t < tokenCount; t += 2)
            {
                var word = lower[tokens[t]..tokens[t + 1]];
                buckets[count++] = BucketOf(word, bytes, bucketCount);
                if (t + 2 < tokenCount)
                {
                    var written = Encoding.UTF8.GetBytes(word, bytes);
                    bytes[written++] = (byte)' ';
                    written += Encoding.UTF8.GetBytes(lower[tokens[t + 2]..tokens[t + 3]], bytes[written..]);
                    buckets[count++] = MurmurHash3.Bucket(MurmurHash3.Hash32(bytes[..written]), bucketCount);
                }
            }

            // Character trigrams of " word " for each whitespace-separated word.
            Span<char> gram = stackalloc char[3];
            for (var i = 0; i < lower.Length;)
            {
                if (char.IsWhiteSpace(lower[i]))
                {
                    i++;
                    continue;
                }

                var start = i;
                while (i < lower.Length && !char.IsWhiteSpace(lower[i]))
                {
                    i++;
                }

                var padded = i - start + 2;
                for (var offset = 0; offset + 3 <= padded; offset++)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        var position = offset + c;
                        gram[c] = position == 0 || position == padded - 1 ? ' ' : lower[start + position - 1];
                    }

                    buckets[count++] = BucketOf(gram, bytes, bucketCount);
                }
            }

            return count;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(lowerArray);
            ArrayPool<int>.Shared.Return(tokenArray);
            ArrayPool<byte>.Shared.Return(bytesArray);
        }
    }

    private static int BucketOf(ReadOnlySpan<char> gram, Span<byte> scratch, int bucketCount)
    {
        var written = Encoding.UTF8.GetBytes(gram, scratch);
        return MurmurHash3.Bucket(MurmurHash3.Hash32(scratch[..written]), bucketCount);
    }

    /// <summary>The characters Python's <c>\w</c> matches in Unicode mode: letters, numbers and the underscore.</summary>
    private static bool IsWordChar(char c) => char.IsLetter(c) || char.IsNumber(c) || c == '_';
}
