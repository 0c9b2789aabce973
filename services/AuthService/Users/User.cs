namespace MlOps.AuthService.Users;

/// <summary>A person who signs in with the password grant.</summary>
public sealed class User
{
    public Guid Id { get; set; }

    public required string UserName { get; set; }

    /// <summary>The user name as compared: trimmed and upper-cased invariantly, unique.</summary>
    public required string NormalizedUserName { get; set; }

    public required string PasswordHash { get; set; }

    public required string[] Roles { get; set; }

    public bool Disabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public static string Normalize(string userName) => userName.Trim().ToUpperInvariant();
}
