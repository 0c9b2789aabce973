using Microsoft.EntityFrameworkCore;
using MlOps.ServiceDefaults.Database;
using MlOps.TrainerService.Jobs;
using MlOps.TrainerService.Registry;
using MlOps.TrainerService.Runs;

namespace MlOps.TrainerService.Persistence;

/// <summary>
/// The trainer service's tables, all in its own schema; SQL scripts under Migrations/ create them. Columns are the
/// properties' names in snake_case; JSON documents are <c>jsonb</c> columns held as strings.
/// </summary>
public sealed class TrainerDbContext(DbContextOptions<TrainerDbContext> options) : DbContext(options)
{
    public const string Schema = "trainer";

    public DbSet<TrainingJob> Jobs => Set<TrainingJob>();

    public DbSet<Experiment> Experiments => Set<Experiment>();

    public DbSet<Run> Runs => Set<Run>();

    public DbSet<RunMetric> RunMetrics => Set<RunMetric>();

    public DbSet<RegisteredModel> Models => Set<RegisteredModel>();

    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();

    public DbSet<ModelAlias> Aliases => Set<ModelAlias>();

    public DbSet<AliasHistoryEntry> AliasHistory => Set<AliasHistoryEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<TrainingJob>(job =>
        {
            job.ToTable("jobs");
            job.HasKey(j => j.Id);
            job.Property(j => j.HyperparametersJson).HasColumnName("hyperparameters").HasColumnType("jsonb");
            job.Property(j => j.ProgressJson).HasColumnName("progress").HasColumnType("jsonb");
            job.Property(j => j.PromotionJson).HasColumnName("promotion").HasColumnType("jsonb");
        });
        modelBuilder.Entity<Experiment>(experiment =>
        {
            experiment.ToTable("experiments");
            experiment.HasKey(e => e.Name);
        });
        modelBuilder.Entity<Run>(run =>
        {
            run.ToTable("runs");
            run.HasKey(r => r.Id);
            run.HasOne<Experiment>().WithMany().HasForeignKey(r => r.Experiment);
            run.HasOne<TrainingJob>().WithMany().HasForeignKey(r => r.JobId);
            run.Property(r => r.ParametersJson).HasColumnName("parameters").HasColumnType("jsonb");
            run.Property(r => r.MetricsJson).HasColumnName("metrics").HasColumnType("jsonb");
            run.Property(r => r.TimingsJson).HasColumnName("timings").HasColumnType("jsonb");
            run.Property(r => r.ArtifactsJson).HasColumnName("artifacts").HasColumnType("jsonb");
        });
        modelBuilder.Entity<RunMetric>(metric =>
        {
            metric.ToTable("run_metrics");
            metric.HasKey(m => new { m.RunId, m.Name, m.Step });
        });
        modelBuilder.Entity<RegisteredModel>(model =>
        {
            model.ToTable("models");
            model.HasKey(m => m.Name);
        });
        modelBuilder.Entity<ModelVersion>(version =>
        {
            version.ToTable("model_versions");
            version.HasKey(v => new { v.Model, v.Version });
            version.HasOne<RegisteredModel>().WithMany().HasForeignKey(v => v.Model);
            version.HasOne<Run>().WithMany().HasForeignKey(v => v.RunId);
            version.Property(v => v.ClassesJson).HasColumnName("classes").HasColumnType("jsonb");
            version.Property(v => v.InputsJson).HasColumnName("inputs").HasColumnType("jsonb");
            version.Property(v => v.MetricsJson).HasColumnName("metrics").HasColumnType("jsonb");
            version.Property(v => v.ReferenceProfileJson).HasColumnName("reference_profile").HasColumnType("jsonb");
            version.Property(v => v.DescriptorJson).HasColumnName("descriptor").HasColumnType("jsonb");
        });
        modelBuilder.Entity<ModelAlias>(alias =>
        {
            alias.ToTable("model_aliases");
            alias.HasKey(a => new { a.Model, a.Alias });
            alias.HasOne<ModelVersion>().WithMany().HasForeignKey(a => new { a.Model, a.Version });
        });
        modelBuilder.Entity<AliasHistoryEntry>(entry =>
        {
            entry.ToTable("alias_history");
            entry.HasKey(e => e.Id);
            entry.Property(e => e.Id).UseIdentityByDefaultColumn();
            entry.HasOne<RegisteredModel>().WithMany().HasForeignKey(e => e.Model);
        });

        modelBuilder.UseSnakeCaseColumnNames();
    }
}
