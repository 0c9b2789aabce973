using Microsoft.EntityFrameworkCore;

namespace MlOps.DataService.Persistence;

/// <summary>The data service's tables, all in its own schema; SQL scripts under Migrations/ create them.</summary>
public sealed class DataDbContext(DbContextOptions<DataDbContext> options) : DbContext(options)
{
    public const string Schema = "data";

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.HasDefaultSchema(Schema);
}
