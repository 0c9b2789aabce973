using Microsoft.Extensions.DependencyInjection;
using MlOps.AppHost.Hosting;
using Npgsql;

namespace MlOps.AppHost.Postgres;

internal static class PostgresExtensions
{
    private const string HealthCheckName = "postgres-accepts-connections";

    /// <summary>
    /// PostgreSQL with the platform's database: Aspire's container (with a data volume) where a container runtime
    /// answers and always in the manifest; otherwise the machine's own PostgreSQL on a cluster in the data folder.
    /// Either way services get <c>ConnectionStrings__mlopsdb</c>.
    /// </summary>
    public static PlatformDatabase AddPlatformDatabase(this IDistributedApplicationBuilder builder, PlatformOptions platform)
    {
        if (platform.UseContainers)
        {
            var database = builder.AddPostgres(Platform.Postgres).WithDataVolume().AddDatabase(Platform.Database);
            return new PlatformDatabase(database, database);
        }

        var program = PostgresProgram.Find(builder.Configuration["MlOps:Postgres:BinDirectory"]);
        PostgresDataFolder.EnsureInitialized(program, platform.PostgresData, Platform.Database);

        var port = platform.PortOf(Platform.Postgres);
        var (command, arguments) = program.Server(
            "-D", platform.PostgresData, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", platform.PostgresData, "-c", "listen_addresses=127.0.0.1");
        var server = builder.AddExecutable(Platform.Postgres, command, platform.Home, arguments)
            .WithEndpoint(name: "tcp", port: port, targetPort: port, scheme: "tcp", isProxied: false)
            .WithHealthCheck(HealthCheckName);

        var endpoint = server.GetEndpoint("tcp");
        var connectionString = builder.AddConnectionString(
            Platform.Database,
            ReferenceExpression.Create($"Host=127.0.0.1;Port={endpoint.Property(EndpointProperty.Port)};Database={Platform.Database};Username={PostgresProgram.ServerUser}"));
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1", Port = endpoint.Port, Database = Platform.Database, Username = PostgresProgram.ServerUser, Pooling = false,
            }.ConnectionString,
            name: HealthCheckName);
        return new PlatformDatabase(connectionString, server);
    }
}
