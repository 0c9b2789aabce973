using Microsoft.EntityFrameworkCore;

namespace MlOps.MonitoringService.Persistence;

/// <summary>The monitoring service's tables, all in its own schema; SQL scripts under Migrations/ create them.</summary>
public sealed class MonitoringDbContext(DbContextOptions<MonitoringDbContext> options) : DbContext(options)
{
    public const string Schema = "monitoring";

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.HasDefaultSchema(Schema);
}
