using System.Buffers;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text;

namespace MlOps.Learning.Data;

/// <summary>
/// Recognizes the field values that mean "missing": an empty or blank field, or one of a list of tokens matched
/// ignoring case and surrounding spaces and tabs.
/// </summary>
public sealed class MissingValues
{
    private static readonly SearchValues<byte> Blanks = SearchValues.Create(" \t"u8);

    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _tokens;
    private readonly SearchValues<byte> _firstBytes;
    private readonly int _longestTokenChars;

    public MissingValues(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var trimmed = tokens.Select(token => token.Trim(' ', '\t')).Where(token => token.Length > 0).ToArray();
        _tokens = trimmed.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        _longestTokenChars = trimmed.Length == 0 ? 0 : trimmed.Max(token => token.Length);

        // Most fields are rejected on their first byte; a token that starts with a non-ASCII character admits them all,
        // since its other casings are not known byte by byte.
        var firstBytes = new HashSet<byte>();
        foreach (var token in trimmed)
        {
            var first = token[0];
            if (char.IsAscii(first))
            {
                firstBytes.Add((byte)char.ToLowerInvariant(first));
                firstBytes.Add((byte)char.ToUpperInvariant(first));
            }
            else
            {
                for (var b = 0x80; b <= 0xFF; b++)
                {
                    firstBytes.Add((byte)b);
                }
            }
        }

        _firstBytes = SearchValues.Create(firstBytes.ToArray());
    }

    /// <summary><c>NA</c>, <c>N/A</c>, <c>NaN</c>, <c>null</c> and <c>None</c>.</summary>
    public static IReadOnlyList<string> DefaultTokens { get; } = ImmutableArray.Create("NA", "N/A", "NaN", "null", "None");

    /// <summary>Whether a UTF-8 field value is missing.</summary>
    public bool Matches(ReadOnlySpan<byte> utf8)
    {
        var start = utf8.IndexOfAnyExcept(Blanks);
        if (start < 0)
        {
            return true;
        }

        var value = utf8[start..(utf8.LastIndexOfAnyExcept(Blanks) + 1)];

        // A token of n chars has at most 3n bytes in any casing, so longer values need no decoding.
        if (!_firstBytes.Contains(value[0]) || value.Length > 3 * _longestTokenChars)
        {
            return false;
        }

        Span<char> chars = value.Length <= 256 ? stackalloc char[256] : new char[value.Length];
        return _tokens.Contains(chars[..Encoding.UTF8.GetChars(value, chars)]);
    }
}
