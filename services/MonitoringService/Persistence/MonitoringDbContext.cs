using Microsoft.EntityFrameworkCore;
using MlOps.MonitoringService.Drift;
using MlOps.MonitoringService.Performance;
using MlOps.MonitoringService.Policies;
using MlOps.ServiceDefaults.Database;

namespace MlOps.MonitoringService.Persistence;

/// <summary>
/// The monitoring service's tables, all in its own schema; SQL scripts under Migrations/ create them. Columns are the
/// properties' names in snake_case; JSON documents are <c>jsonb</c> columns held as strings.
/// </summary>
public sealed class MonitoringDbContext(DbContextOptions<MonitoringDbContext> options) : DbContext(options)
{
    public const string Schema = "monitoring";

    public DbSet<PolicyRow> Policies => Set<PolicyRow>();

    public DbSet<DriftReportRow> DriftReports => Set<DriftReportRow>();

    public DbSet<PerformanceReportRow> PerformanceReports => Set<PerformanceReportRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<PolicyRow>(policy =>
        {
            policy.ToTable("policies");
            policy.HasKey(p => p.Model);
        });
        modelBuilder.Entity<DriftReportRow>(report =>
        {
            report.ToTable("drift_reports");
            report.HasKey(r => r.Id);
            report.Property(r => r.Id).UseIdentityByDefaultColumn();
            report.Property(r => r.ReportJson).HasColumnName("report").HasColumnType("jsonb");
        });
        modelBuilder.Entity<PerformanceReportRow>(report =>
        {
            report.ToTable("performance_reports");
            report.HasKey(r => r.Id);
            report.Property(r => r.Id).UseIdentityByDefaultColumn();
            report.Property(r => r.ReportJson).HasColumnName("report").HasColumnType("jsonb");
        });
        modelBuilder.UseSnakeCaseColumnNames();
    }
}
