namespace MlOps.Learning.Data;

/// <summary>The file names an image column may hold: those of the formats the platform decodes.</summary>
public static class ImageFiles
{
    /// <summary>The extensions, lower case: PNG, JPEG, GIF, BMP and WebP.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"];

    /// <summary>Whether the value ends in one of <see cref="Extensions"/> (ignoring case and surrounding blanks).</summary>
    public static bool HasImageExtension(ReadOnlySpan<char> value)
    {
        var trimmed = value.Trim();
        foreach (var extension in Extensions)
        {
            if (trimmed.Length > extension.Length && trimmed.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
