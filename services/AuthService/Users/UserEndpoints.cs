using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MlOps.AuthService.Persistence;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceConventions.Paging;
using OpenIddict.Abstractions;

namespace MlOps.AuthService.Users;

/// <summary>
/// <c>/api/auth/users</c>: create, list, disable or enable users, and reset passwords (scope mlops.admin), over
/// ASP.NET Core Identity's <see cref="UserManager{TUser}"/>.
/// </summary>
public static partial class UserEndpoints
{
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 256;

    /// <summary>What a user name may hold (Identity checks it too).</summary>
    public const string UserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-";

    public static void MapUsers(this WebApplication app)
    {
        var users = app.MapGroup("/api/auth/users").RequireAuthorization(Scopes.Admin).WithTags("Users");
        users.MapPost("/", CreateAsync).WithName("CreateUser").WithSummary("Create a user with roles admin, data-scientist or viewer");
        users.MapGet("/", ListAsync).WithName("ListUsers").WithSummary("Users, by user name, a page at a time");
        users.MapGet("/{userName}", GetAsync).WithName("GetUser");
        users.MapPost("/{userName}/disable", (string userName, UserManager<User> manager, IOpenIddictTokenManager tokens, TimeProvider time, CancellationToken ct) =>
            SetDisabledAsync(userName, true, manager, tokens, time, ct)).WithName("DisableUser").WithSummary("Refuse the user's sign-ins and revoke its refresh tokens");
        users.MapPost("/{userName}/enable", (string userName, UserManager<User> manager, IOpenIddictTokenManager tokens, TimeProvider time, CancellationToken ct) =>
            SetDisabledAsync(userName, false, manager, tokens, time, ct)).WithName("EnableUser");
        users.MapPost("/{userName}/password", ResetPasswordAsync).WithName("ResetPassword").WithSummary("Set a new password and revoke the user's refresh tokens");
    }

    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateUserRequest request, UserManager<User> manager, AuthDbContext db, TimeProvider time, CancellationToken ct)
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

        if (await manager.FindByNameAsync(request.UserName!) is not null)
        {
            return Exists(request.UserName!);
        }

        var now = time.GetUtcNow();
        var user = new User { Id = Guid.CreateVersion7(), UserName = request.UserName, CreatedAt = now, UpdatedAt = now };
        var roles = request.Roles!.Distinct(StringComparer.Ordinal).ToArray();

        // The account and its roles are made together or not at all.
        var strategy = db.Database.CreateExecutionStrategy();
        var outcome = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var created = await manager.CreateAsync(user, request.Password!);
            if (created.Succeeded)
            {
                created = await manager.AddToRolesAsync(user, roles);
            }

            if (created.Succeeded)
            {
                await transaction.CommitAsync(ct);
            }

            return created;
        });
        if (!outcome.Succeeded)
        {
            return outcome.Errors.Any(error => error.Code == nameof(IdentityErrorDescriber.DuplicateUserName))
                ? Exists(request.UserName!)
                : TypedResults.ValidationProblem(IdentityProblems(outcome));
        }

        return TypedResults.Created($"/api/auth/users/{Uri.EscapeDataString(user.UserName!)}", UserResponse.From(user, roles));
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
            query = query.Where(u => u.NormalizedUserName!.CompareTo(page.After) > 0);
        }

        var rows = await query.Take(page.Limit + 1).ToListAsync(ct);
        var shown = rows.Take(page.Limit).ToList();
        var ids = shown.Select(u => u.Id).ToList();
        var roles = (await db.UserRoles.Where(held => ids.Contains(held.UserId))
                .Join(db.Roles, held => held.RoleId, role => role.Id, (held, role) => new { held.UserId, role.Name })
                .ToListAsync(ct))
            .ToLookup(held => held.UserId, held => held.Name!);
        var next = rows.Count > page.Limit ? Pages.EncodeCursor(rows[page.Limit - 1].NormalizedUserName!) : null;
        return TypedResults.Ok(new Page<UserResponse>(shown.Select(user => UserResponse.From(user, roles[user.Id])).ToArray(), next));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetAsync(string userName, UserManager<User> manager)
    {
        var user = await manager.FindByNameAsync(userName);
        return user is null ? NotFound(userName) : TypedResults.Ok(UserResponse.From(user, await manager.GetRolesAsync(user)));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> SetDisabledAsync(
        string userName, bool disabled, UserManager<User> manager, IOpenIddictTokenManager tokens, TimeProvider time, CancellationToken ct)
    {
        var user = await manager.FindByNameAsync(userName);
        if (user is null)
        {
            return NotFound(userName);
        }

        user.Disabled = disabled;
        user.UpdatedAt = time.GetUtcNow();
        (await manager.UpdateAsync(user)).ThrowIfFailed();
        if (disabled)
        {
            await tokens.RevokeBySubjectAsync(user.Id.ToString(), ct);
        }

        return TypedResults.Ok(UserResponse.From(user, await manager.GetRolesAsync(user)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> ResetPasswordAsync(
        string userName, ResetPasswordRequest request, UserManager<User> manager, IOpenIddictTokenManager tokens, TimeProvider time, CancellationToken ct)
    {
        if (PasswordProblem(request.Password) is { } problem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["password"] = [problem] });
        }

        var user = await manager.FindByNameAsync(userName);
        if (user is null)
        {
            return NotFound(userName);
        }

        foreach (var validator in manager.PasswordValidators)
        {
            var valid = await validator.ValidateAsync(manager, user, request.Password);
            if (!valid.Succeeded)
            {
                return TypedResults.ValidationProblem(IdentityProblems(valid));
            }
        }

        // A new hash and a new security stamp: whatever was issued on the old password stops working.
        user.PasswordHash = manager.PasswordHasher.HashPassword(user, request.Password!);
        user.UpdatedAt = time.GetUtcNow();
        (await manager.UpdateSecurityStampAsync(user)).ThrowIfFailed();
        await tokens.RevokeBySubjectAsync(user.Id.ToString(), ct);
        return TypedResults.NoContent();
    }

    private static string? PasswordProblem(string? password) =>
        password is null || password.Length < MinPasswordLength
            ? $"A password is at least {MinPasswordLength} characters."
            : password.Length > MaxPasswordLength ? $"A password is at most {MaxPasswordLength} characters." : null;

    /// <summary>Identity's refusals, each under the field it is about.</summary>
    private static Dictionary<string, string[]> IdentityProblems(IdentityResult result) =>
        result.Errors
            .GroupBy(error => error.Code.StartsWith("Password", StringComparison.Ordinal) ? "password"
                : error.Code.Contains("UserName", StringComparison.Ordinal) ? "userName" : "user")
            .ToDictionary(group => group.Key, group => group.Select(error => error.Description).ToArray());

    private static void ThrowIfFailed(this IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Updating the user failed: " + string.Join(" ", result.Errors.Select(error => error.Description)));
        }
    }

    private static ProblemHttpResult Exists(string userName) =>
        TypedResults.Problem($"A user named '{userName}' already exists.", statusCode: StatusCodes.Status409Conflict, title: "User exists");

    private static ProblemHttpResult NotFound(string userName) =>
        TypedResults.Problem($"No user is named '{userName}'.", statusCode: StatusCodes.Status404NotFound, title: "User not found");

    [GeneratedRegex("^[A-Za-z0-9._@-]{3,64}$")]
    private static partial Regex UserNamePattern();
}
