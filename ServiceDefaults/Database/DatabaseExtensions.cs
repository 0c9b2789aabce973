using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace MlOps.ServiceDefaults.Database;

public static class DatabaseExtensions
{
    /// <summary>The connection string name the AppHost sets (<c>ConnectionStrings__mlopsdb</c>).</summary>
    public const string ConnectionName = "mlopsdb";

    /// <summary>
    /// Registers the service's own schema in the platform database through Aspire's PostgreSQL components: one
    /// <see cref="NpgsqlDataSource"/> (<c>AddNpgsqlDataSource</c>: its health check, tracing and metrics) that both the
    /// service's SQL and its EF Core context use, so there is a single connection pool; the pooled context living in
    /// <paramref name="schema"/>, enriched by <c>EnrichNpgsqlDbContext</c> (retries on transient failures, tracing,
    /// metrics); and the start-up migrator that applies the SQL scripts embedded under <c>Migrations/</c> in
    /// <typeparamref name="TContext"/>'s assembly (docs/architecture.md, "Schemas").
    /// </summary>
    public static void AddServiceDatabase<TContext>(this IHostApplicationBuilder builder, string schema)
        where TContext : DbContext
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionName)))
        {
            throw new InvalidOperationException(
                $"Connection string '{ConnectionName}' is missing: set ConnectionStrings__{ConnectionName} " +
                "(the AppHost does this for every service).");
        }

        var applicationName = builder.Environment.ApplicationName;
        builder.AddNpgsqlDataSource(ConnectionName, configureDataSourceBuilder: dataSource => dataSource.Name = applicationName);
        builder.Services.AddDbContextPool<TContext>((services, options) => options.UseNpgsql(
            services.GetRequiredService<NpgsqlDataSource>(),
            npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", schema)));
        // The data source's check already probes the database; a second one per context would double the probes.
        builder.EnrichNpgsqlDbContext<TContext>(settings => settings.DisableHealthChecks = true);

        var migrations = new SchemaMigrations(schema, typeof(TContext).Assembly);
        builder.Services.AddSingleton(migrations);
        builder.Services.AddHostedService<SchemaMigrator>();
        builder.Services.AddHealthChecks().AddCheck<SchemaMigrationHealthCheck>("schema");
    }
}
