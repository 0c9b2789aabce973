namespace MlOps.ServiceConventions.Paging;

/// <summary>One page of a list, as every list endpoint of the platform answers it.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>A validated <c>?limit=&amp;cursor=</c>: the page length and the last key of the previous page, if any.</summary>
public sealed record PageRequest(int Limit, string? After);

/// <summary>The <c>?limit=&amp;cursor=</c> convention: a default and a maximum page length, and opaque cursors.</summary>
public static class Pages
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>
    /// The page asked for, or the validation errors to answer with (keyed <c>limit</c> or <c>cursor</c>).
    /// A cursor is the last key of the previous page, base64url-encoded so clients treat it as opaque.
    /// </summary>
    public static (PageRequest? Request, Dictionary<string, string[]>? Errors) Read(int? limit, string? cursor)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return (null, new() { ["limit"] = [$"limit must be between 1 and {MaxLimit}."] });
        }

        if (string.IsNullOrEmpty(cursor))
        {
            return (new PageRequest(limit ?? DefaultLimit, null), null);
        }

        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            return (new PageRequest(limit ?? DefaultLimit, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64))), null);
        }
        catch (FormatException)
        {
            return (null, new() { ["cursor"] = ["The cursor is not one this API handed out."] });
        }
    }

    /// <summary>
    /// The page asked for when lists are keyed by a number (an identity column): the page, the last id of the previous
    /// page if any, and the validation errors (empty when valid; callers may add their own).
    /// </summary>
    public static (PageRequest? Request, long? AfterId, Dictionary<string, string[]> Errors) ReadById(int? limit, string? cursor)
    {
        var (page, errors) = Read(limit, cursor);
        errors ??= [];
        if (page?.After is not { } key)
        {
            return (page, null, errors);
        }

        if (long.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            return (page, id, errors);
        }

        errors["cursor"] = ["The cursor is not one this API handed out."];
        return (null, null, errors);
    }

    /// <summary>The cursor that continues after <paramref name="lastKey"/>.</summary>
    public static string EncodeCursor(string lastKey) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(lastKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
