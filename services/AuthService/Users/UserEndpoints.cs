using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MlOps.AuthService.Persistence;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceConventions.Paging;

namespace MlOps.AuthService.Users;

/// <summary><c>/api/auth/users</c>: create, list, disable or enable users, and reset passwords (scope mlops.admin).</summary>
public static partial class UserEndpoints
{
    public const int MinPasswordLength = 12;

    public static void MapUsers(this WebApplication app)
    {
        var users = app.MapGroup("/api/auth/users").RequireAuthorization(Scopes.Admin).WithTags("Users");
        users.MapPost("/", CreateAsync).WithName("CreateUser").WithSummary("Create a user with roles admin, data-scientist or viewer");
        users.MapGet("/", ListAsync).WithName("ListUsers").WithSummary("Users, by user name, a page at a time");
        users.MapGet("/{userName}", GetAsync).WithName("GetUser");
        users.MapPost("/{userName}/disable", (string userName, AuthDbContext db, TimeProvider time, CancellationToken ct) =>
            SetDisabledAsync(userName, true, db, time, ct)).WithName("DisableUser").WithSummary("Refuse the user's sign-ins and revoke its refresh tokens");
        users.MapPost("/{userName}/enable", (string userName, AuthDbContext db, TimeProvider time, CancellationToken ct) =>
            SetDisabledAsync(userName, false, db, time, ct)).WithName("EnableUser");
        users.MapPost("/{userName}/password", ResetPasswordAsync).WithName("ResetPassword").WithSummary("Set a new password and revoke the user's refresh tokens");
    }

    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateUserRequest request, AuthDbContext db, IPasswordHasher<User> hasher, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.UserName is null || !UserNamePattern().IsMatch(request.UserName))
        {
            errors["userName"] = ["A user name is 3 to 64 characters: letters, digits, '.', '_', '-' or '@'."];
        }

        if (PasswordProblem(request.Password) is { } passwordProblem)
        {
            errors["password"] = [passwordProblem];
        }

        if (request.Roles is not { Length: > 0 } || request.Roles.Any(role => !Roles.IsKnown(role)))
        {
            errors["roles"] = [$"Give one or more roles among: {string.Join(", ", Roles.All)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var normalized = User.Normalize(request.UserName!);
        if (await db.Users.AnyAsync(u => u.NormalizedUserName == normalized, ct))
        {
            return TypedResults.Problem($"A user named '{request.UserName}' already exists.", statusCode: StatusCodes.Status409Conflict, title: "User exists");
        }

        var now = time.GetUtcNow();
        var user = new User
        {
            Id = Guid.NewGuid(),
            UserName = request.UserName!.Trim(),
            NormalizedUserName = normalized,
            PasswordHash = string.Empty,
            Roles = request.Roles!.Distinct(StringComparer.Ordinal).ToArray(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        user.PasswordHash = hasher.HashPassword(user, request.Password!);
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/auth/users/{Uri.EscapeDataString(user.UserName)}", UserResponse.From(user));
    }

    private static async Task<Results<Ok<Page<UserResponse>>, ValidationProblem>> ListAsync(
        int? limit, string? cursor, AuthDbContext db, CancellationToken ct)
    {
        var (page, errors) = Pages.Read(limit, cursor);
        if (page is null)
        {
            return TypedResults.ValidationProblem(errors!);
        }

        var query = db.Users.AsNoTracking().OrderBy(u => u.NormalizedUserName).AsQueryable();
        if (page.After is not null)
        {
            query = query.Where(u => u.NormalizedUserName.CompareTo(page.After) > 0);
        }

        var rows = await query.Take(page.Limit + 1).ToListAsync(ct);
        var next = rows.Count > page.Limit ? Pages.EncodeCursor(rows[page.Limit - 1].NormalizedUserName) : null;
        return TypedResults.Ok(new Page<UserResponse>(rows.Take(page.Limit).Select(UserResponse.From).ToArray(), next));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetAsync(string userName, AuthDbContext db, CancellationToken ct)
    {
        var normalized = User.Normalize(userName);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedUserName == normalized, ct);
        return user is null ? NotFound(userName) : TypedResults.Ok(UserResponse.From(user));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> SetDisabledAsync(
        string userName, bool disabled, AuthDbContext db, TimeProvider time, CancellationToken ct)
    {
        var normalized = User.Normalize(userName);
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedUserName == normalized, ct);
        if (user is null)
        {
            return NotFound(userName);
        }

        user.Disabled = disabled;
        user.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        if (disabled)
        {
            await RevokeRefreshTokensAsync(db, user.Id, time, ct);
        }

        return TypedResults.Ok(UserResponse.From(user));
    }

    private static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> ResetPasswordAsync(
        string userName, ResetPasswordRequest request, AuthDbContext db, IPasswordHasher<User> hasher, TimeProvider time, CancellationToken ct)
    {
        if (PasswordProblem(request.Password) is { } problem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["password"] = [problem] });
        }

        var normalized = User.Normalize(userName);
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedUserName == normalized, ct);
        if (user is null)
        {
            return NotFound(userName);
        }

        user.PasswordHash = hasher.HashPassword(user, request.Password!);
        user.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await RevokeRefreshTokensAsync(db, user.Id, time, ct);
        return TypedResults.NoContent();
    }

    private static Task<int> RevokeRefreshTokensAsync(AuthDbContext db, Guid userId, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return db.RefreshTokens.Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now), ct);
    }

    private static string? PasswordProblem(string? password) =>
        password is null || password.Length < MinPasswordLength
            ? $"A password is at least {MinPasswordLength} characters."
            : password.Length > 256 ? "A password is at most 256 characters." : null;

    private static ProblemHttpResult NotFound(string userName) =>
        TypedResults.Problem($"No user is named '{userName}'.", statusCode: StatusCodes.Status404NotFound, title: "User not found");

    [GeneratedRegex("^[A-Za-z0-9._@-]{3,64}$")]
    private static partial Regex UserNamePattern();
}
