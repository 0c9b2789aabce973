using Microsoft.EntityFrameworkCore;

namespace MlOps.ServingService.Persistence;

/// <summary>The serving service's tables, all in its own schema; SQL scripts under Migrations/ create them.</summary>
public sealed class ServingDbContext(DbContextOptions<ServingDbContext> options) : DbContext(options)
{
    public const string Schema = "serving";

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.HasDefaultSchema(Schema);
}
