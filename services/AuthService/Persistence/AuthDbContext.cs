using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using MlOps.AuthService.Tokens;
using MlOps.AuthService.Users;
using MlOps.ServiceDefaults.Database;
using OpenIddict.EntityFrameworkCore.Models;

namespace MlOps.AuthService.Persistence;

/// <summary>
/// The auth service's tables, all in its own schema; SQL scripts under Migrations/ create them. People are ASP.NET Core
/// Identity's (users, roles and what Identity keeps beside them); clients, authorizations and refresh tokens are
/// OpenIddict's; all under snake_case names like every other table.
/// </summary>
public sealed class AuthDbContext(DbContextOptions<AuthDbContext> options)
    : IdentityDbContext<User, IdentityRole<Guid>, Guid>(options)
{
    public const string Schema = "auth";

    public DbSet<OpenIddictEntityFrameworkCoreApplication> Applications => Set<OpenIddictEntityFrameworkCoreApplication>();

    public DbSet<LoginThrottleEntry> LoginThrottle => Set<LoginThrottleEntry>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.HasDefaultSchema(Schema);

        builder.Entity<User>().ToTable("users");
        builder.Entity<IdentityRole<Guid>>().ToTable("roles");
        builder.Entity<IdentityUserRole<Guid>>().ToTable("user_roles");
        builder.Entity<IdentityUserClaim<Guid>>().ToTable("user_claims");
        builder.Entity<IdentityUserLogin<Guid>>().ToTable("user_logins");
        builder.Entity<IdentityUserToken<Guid>>().ToTable("user_tokens");
        builder.Entity<IdentityRoleClaim<Guid>>().ToTable("role_claims");

        builder.UseOpenIddict();
        builder.Entity<OpenIddictEntityFrameworkCoreApplication>().ToTable("openiddict_applications");
        builder.Entity<OpenIddictEntityFrameworkCoreAuthorization>().ToTable("openiddict_authorizations");
        builder.Entity<OpenIddictEntityFrameworkCoreScope>().ToTable("openiddict_scopes");
        builder.Entity<OpenIddictEntityFrameworkCoreToken>().ToTable("openiddict_tokens");

        builder.Entity<LoginThrottleEntry>(entry =>
        {
            entry.ToTable("login_throttle");
            entry.HasKey(e => e.Key);
        });

        builder.UseSnakeCaseColumnNames();
    }
}
