using System.Text.RegularExpressions;

namespace MlOps.Contracts;

/// <summary>
/// The names every service checks the same way: datasets, models and experiments share one rule, aliases another (a
/// lowercase word starting with a letter, so it can never be read as a version number).
/// </summary>
public static partial class Names
{
    public const string NameRule = "1 to 63 characters, lowercase letters, digits, '-', '_' or '.', starting with a letter or digit";

    public const string AliasRule = "1 to 32 lowercase letters, digits, '-' or '_', starting with a letter";

    public static bool IsValidName(string name) => Name().IsMatch(name);

    public static bool IsValidAlias(string alias) => Alias().IsMatch(alias);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex Name();

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}$")]
    private static partial Regex Alias();
}
