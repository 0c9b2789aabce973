using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace MlOps.ServiceDefaults.Database;

public static class DatabaseExtensions
{
    /// <summary>The connection string name both run modes set (<c>ConnectionStrings__mlopsdb</c>).</summary>
    public const string ConnectionName = "mlopsdb";

    private static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Registers the service's own schema in the platform database: an Npgsql data source, an EF Core context that
    /// retries transient failures and lives in <paramref name="schema"/>, a readiness check, and the start-up
    /// migrator that applies the SQL scripts embedded under <c>Migrations/</c> in <typeparamref name="TContext"/>'s
    /// assembly. What Aspire's Npgsql EF component would give, which is not obtainable here.
    /// </summary>
    public static void AddServiceDatabase<TContext>(this IHostApplicationBuilder builder, string schema)
        where TContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Connection string '{ConnectionName}' is missing: set ConnectionStrings__{ConnectionName} " +
                "(the AppHost does this in both run modes).");
        }

        // Built by the container, not handed to it, so the host disposes it and its pooled connections on shutdown.
        var applicationName = builder.Environment.ApplicationName;
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString) { Name = applicationName }.Build());

        builder.Services.AddDbContextPool<TContext>((services, options) => options.UseNpgsql(services.GetRequiredService<NpgsqlDataSource>(), npgsql => npgsql
            .EnableRetryOnFailure()
            .MigrationsHistoryTable("__ef_migrations_history", schema)));

        var migrations = new SchemaMigrations(schema, typeof(TContext).Assembly);
        builder.Services.AddSingleton(migrations);
        builder.Services.AddHostedService<SchemaMigrator>();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", timeout: HealthCheckTimeout)
            .AddCheck<SchemaMigrationHealthCheck>("schema");
    }
}

/// <summary>The ordered SQL scripts that build one service's schema, read from embedded resources.</summary>
public sealed class SchemaMigrations(string schema, Assembly assembly)
{
    public string Schema { get; } = schema;

    /// <summary>Set once every script has been applied; readiness waits on it.</summary>
    public TaskCompletionSource Applied { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<(string Id, string Sql)> Load()
    {
        var scripts = new List<(string Id, string Sql)>();
        foreach (var resource in assembly.GetManifestResourceNames()
                     .Where(name => name.Contains(".Migrations.", StringComparison.Ordinal)
                         && name.EndsWith(".sql", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var id = resource[(resource.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..^".sql".Length];
            scripts.Add((id, reader.ReadToEnd()));
        }

        return scripts;
    }
}
