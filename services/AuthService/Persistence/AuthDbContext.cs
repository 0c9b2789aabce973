using Microsoft.EntityFrameworkCore;

namespace MlOps.AuthService.Persistence;

/// <summary>The auth service's tables, all in its own schema; SQL scripts under Migrations/ create them.</summary>
public sealed class AuthDbContext(DbContextOptions<AuthDbContext> options) : DbContext(options)
{
    public const string Schema = "auth";

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.HasDefaultSchema(Schema);
}
