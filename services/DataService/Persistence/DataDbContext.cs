using Microsoft.EntityFrameworkCore;
using MlOps.DataService.Datasets;

namespace MlOps.DataService.Persistence;

/// <summary>The data service's tables, all in its own schema; SQL scripts under Migrations/ create them.</summary>
public sealed class DataDbContext(DbContextOptions<DataDbContext> options) : DbContext(options)
{
    public const string Schema = "data";

    public DbSet<Dataset> Datasets => Set<Dataset>();

    public DbSet<DatasetVersion> Versions => Set<DatasetVersion>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<Dataset>(dataset =>
        {
            dataset.ToTable("datasets");
            dataset.HasKey(d => d.Name);
            dataset.Property(d => d.Name).HasColumnName("name");
            dataset.Property(d => d.CreatedAt).HasColumnName("created_at");
            dataset.Property(d => d.UpdatedAt).HasColumnName("updated_at");
        });
        modelBuilder.Entity<DatasetVersion>(version =>
        {
            version.ToTable("dataset_versions");
            version.HasKey(v => new { v.Dataset, v.Version });
            version.HasOne<Dataset>().WithMany().HasForeignKey(v => v.Dataset);
            version.Property(v => v.Dataset).HasColumnName("dataset");
            version.Property(v => v.Version).HasColumnName("version");
            version.Property(v => v.Sha256).HasColumnName("sha256");
            version.Property(v => v.SizeBytes).HasColumnName("size_bytes");
            version.Property(v => v.ArtifactKey).HasColumnName("artifact_key");
            version.Property(v => v.Format).HasColumnName("format");
            version.Property(v => v.Rows).HasColumnName("rows");
            version.Property(v => v.ColumnsJson).HasColumnName("columns").HasColumnType("jsonb");
            version.Property(v => v.ProfileJson).HasColumnName("profile").HasColumnType("jsonb");
            version.Property(v => v.Source).HasColumnName("source");
            version.Property(v => v.CreatedAt).HasColumnName("created_at");
            version.Property(v => v.DeletedAt).HasColumnName("deleted_at");
            version.Property(v => v.DeletedBy).HasColumnName("deleted_by");

            // Every read sees live versions only; numbering looks past the filter so no number is reused.
            version.HasQueryFilter(v => v.DeletedAt == null);
        });
    }
}
