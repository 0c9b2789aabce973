using MlOps.ServiceConventions.Auth;

namespace MlOps.AuthService.Users;

/// <summary>The roles a user can have, and the scopes each grants.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string DataScientist = "data-scientist";
    public const string Viewer = "viewer";

    private static readonly Dictionary<string, string[]> ScopesByRole = new(StringComparer.Ordinal)
    {
        [Admin] = [.. Scopes.All],
        [DataScientist] = [Scopes.Read, Scopes.Train, Scopes.Predict],
        [Viewer] = [Scopes.Read],
    };

    public static IReadOnlyCollection<string> All => ScopesByRole.Keys;

    public static bool IsKnown(string role) => ScopesByRole.ContainsKey(role);

    /// <summary>Every scope any of <paramref name="roles"/> grants.</summary>
    public static HashSet<string> ScopesOf(IEnumerable<string> roles)
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in roles)
        {
            if (ScopesByRole.TryGetValue(role, out var granted))
            {
                scopes.UnionWith(granted);
            }
        }

        return scopes;
    }
}
