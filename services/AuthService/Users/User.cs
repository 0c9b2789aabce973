using Microsoft.AspNetCore.Identity;

namespace MlOps.AuthService.Users;

/// <summary>
/// A person who signs in, stored by ASP.NET Core Identity (<c>auth.users</c>, roles in <c>auth.user_roles</c>); what
/// Identity has no field for is here: a disabled user cannot sign in, and when the account was made and last changed.
/// </summary>
public sealed class User : IdentityUser<Guid>
{
    public bool Disabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
