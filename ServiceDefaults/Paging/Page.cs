namespace MlOps.ServiceDefaults.Paging;

/// <summary>One page of a list, as every list endpoint of the platform answers it.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>The <c>?limit=&amp;cursor=</c> convention: a default and a maximum page length, and opaque cursors.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>The page length asked for, or the error to answer with.</summary>
    public static (int Limit, string? Error) ReadLimit(int? limit) => limit switch
    {
        null => (DefaultLimit, null),
        < 1 or > MaxLimit => (0, $"limit must be between 1 and {MaxLimit}."),
        { } value => (value, null),
    };

    /// <summary>Cursors are the last key of the page, base64url-encoded so clients treat them as opaque.</summary>
    public static string EncodeCursor(string lastKey) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(lastKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string? DecodeCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            throw new FormatException("The cursor is not one this API handed out.");
        }
    }
}
