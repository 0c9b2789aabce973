using Microsoft.EntityFrameworkCore;

namespace MlOps.TrainerService.Persistence;

/// <summary>The trainer service's tables, all in its own schema; SQL scripts under Migrations/ create them.</summary>
public sealed class TrainerDbContext(DbContextOptions<TrainerDbContext> options) : DbContext(options)
{
    public const string Schema = "trainer";

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.HasDefaultSchema(Schema);
}
