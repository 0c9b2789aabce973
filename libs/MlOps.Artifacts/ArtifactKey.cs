namespace MlOps.Artifacts;

/// <summary>
/// The rules every artifact key follows: relative, '/'-separated segments of [A-Za-z0-9._-], no empty, '.' or '..'
/// segment, at most <see cref="MaxLength"/> characters.
/// </summary>
public static class ArtifactKey
{
    public const int MaxLength = 512;

    public static bool IsValid(string? key) => Problem(key) is null;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the key when it breaks a rule.</summary>
    public static void Validate(string? key, string parameterName = "key")
    {
        if (Problem(key) is { } problem)
        {
            throw new ArgumentException($"Invalid artifact key '{key}': {problem}", parameterName);
        }
    }

    /// <summary>The key of a content-addressed object: <c>{prefix}/sha256/{hex[0..2]}/{hex}</c>.</summary>
    public static string ContentAddressed(string prefix, string sha256Hex) =>
        $"{prefix}/sha256/{sha256Hex[..2]}/{sha256Hex}";

    internal static string? Problem(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "it is empty.";
        }

        if (key.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters.";
        }

        var segmentStart = 0;
        for (var i = 0; i <= key.Length; i++)
        {
            if (i == key.Length || key[i] == '/')
            {
                var segment = key.AsSpan(segmentStart, i - segmentStart);
                if (segment.IsEmpty)
                {
                    return segmentStart == 0 ? "it must be relative (no leading '/')." : "it has an empty segment.";
                }

                if (segment is "." or "..")
                {
                    return "'.' and '..' segments are not allowed.";
                }

                segmentStart = i + 1;
                continue;
            }

            if (!IsAllowed(key[i]))
            {
                return $"character '{key[i]}' is not allowed (only A-Z, a-z, 0-9, '.', '_', '-' and '/').";
            }
        }

        return null;
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
}
