namespace MlOps.AuthService.Users;

public sealed record CreateUserRequest(string? UserName, string? Password, string[]? Roles);

public sealed record ResetPasswordRequest(string? Password);

public sealed record UserResponse(Guid Id, string UserName, IReadOnlyList<string> Roles, bool Disabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static UserResponse From(User user, IEnumerable<string> roles) =>
        new(user.Id, user.UserName!, [.. roles.Order(StringComparer.Ordinal)], user.Disabled, user.CreatedAt, user.UpdatedAt);
}
