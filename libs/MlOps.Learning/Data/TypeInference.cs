using System.Globalization;

namespace MlOps.Learning.Data;

/// <summary>The rules that decide a column's type from its values (see <see cref="TypeInferenceOptions"/>).</summary>
internal static class TypeInference
{
    /// <summary>
    /// A finite number in invariant culture: digits with an optional sign, decimal point and exponent, surrounding
    /// whitespace allowed. Infinities and NaN are not numbers here, since NaN marks a missing value in a numeric column.
    /// </summary>
    public static bool TryParseNumber(ReadOnlySpan<byte> utf8, out double value) =>
        double.TryParse(utf8, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>
    /// <c>true</c>/<c>false</c> in any case; a column declared Boolean (<paramref name="declared"/>) also takes
    /// <c>yes</c>/<c>no</c> and <c>1</c>/<c>0</c>. Inference leaves those alone: a yes/no column stays categorical so a
    /// target keeps its own labels, and a 0/1 column stays numeric.
    /// </summary>
    public static bool TryParseBoolean(ReadOnlySpan<char> text, bool declared, out bool value)
    {
        var trimmed = text.Trim();
        value = trimmed.Equals("true", StringComparison.OrdinalIgnoreCase)
            || (declared && (trimmed.Equals("yes", StringComparison.OrdinalIgnoreCase) || trimmed is "1"));
        return value
            || trimmed.Equals("false", StringComparison.OrdinalIgnoreCase)
            || (declared && (trimmed.Equals("no", StringComparison.OrdinalIgnoreCase) || trimmed is "0"));
    }

    /// <summary>
    /// The type of a column whose values are not all numbers, from its distinct values (at least one) and the number of
    /// present values: Boolean, Categorical or Text.
    /// </summary>
    public static ColumnType InferFromDistinct(IReadOnlyList<string> distinct, int present, TypeInferenceOptions options)
    {
        var allBoolean = true;
        var allShort = true;
        foreach (var value in distinct)
        {
            allBoolean = allBoolean && TryParseBoolean(value, declared: false, out _);
            allShort = allShort && CountWords(value) <= options.CategoricalMaxWords;
        }

        if (allBoolean)
        {
            return ColumnType.Boolean;
        }

        var maxDistinct = Math.Max(options.CategoricalMinDistinct, options.CategoricalMaxDistinctFraction * present);
        return allShort && distinct.Count <= maxDistinct ? ColumnType.Categorical : ColumnType.Text;
    }

    public static int CountWords(ReadOnlySpan<char> text)
    {
        var words = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var isSpace = char.IsWhiteSpace(c);
            if (!isSpace && !inWord)
            {
                words++;
            }

            inWord = !isSpace;
        }

        return words;
    }
}
