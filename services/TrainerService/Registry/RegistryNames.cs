using System.Text.RegularExpressions;

namespace MlOps.TrainerService.Registry;

/// <summary>Valid names for models, experiments and datasets, and for aliases.</summary>
public static partial class RegistryNames
{
    /// <summary>Names the registry's own routes use under <c>/api/models/</c>.</summary>
    private static readonly string[] Reserved = ["changes", "by-dataset"];

    public static bool IsValid(string name) => Name().IsMatch(name);

    public static bool IsReserved(string name) => Reserved.Contains(name, StringComparer.Ordinal);

    /// <summary>An alias: a lowercase word (letters first, so it can never be read as a version number).</summary>
    public static bool IsValidAlias(string alias) => Alias().IsMatch(alias);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex Name();

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}$")]
    private static partial Regex Alias();
}
