using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;

namespace MlOps.TestSupport;

/// <summary>
/// What every platform service must do from its first commit, checked against a real PostgreSQL server: boot, create
/// its own schema, report ready, serve valid metrics, and refuse API calls without a token. Each service's test
/// project derives one class from this.
/// </summary>
public abstract class ServiceBootTests<TProgram>(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
    where TProgram : class
{
    private readonly TemporaryDirectory _artifacts = TemporaryDirectory.Create("mlops-boot-artifacts-");

    protected abstract string Schema { get; }

    public void Dispose()
    {
        _artifacts.Dispose();
        GC.SuppressFinalize(this);
    }

    private static readonly string[] PlatformServices = ["auth", "data", "trainer", "serving", "monitoring"];

    protected WebApplicationFactory<TProgram> CreateService(string connectionString) =>
        new WebApplicationFactory<TProgram>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            web.UseSetting("ConnectionStrings:mlopsdb", connectionString);
            web.UseSetting("Auth:Authority", "http://127.0.0.1:9");
            web.UseSetting("Artifacts:Store", "FileSystem");
            web.UseSetting("Artifacts:Root", _artifacts.Path);
            web.UseSetting("InferenceLog:SpillDirectory", Path.Combine(_artifacts.Path, "spill"));

            // Every service knows where the others are, as both run modes tell it; none answers here (port 9, discard).
            foreach (var other in PlatformServices)
            {
                web.UseSetting($"services:{other}:http:0", "http://127.0.0.1:9");
            }
        });

    [Fact]
    public async Task Boots_against_PostgreSQL_creates_its_schema_and_reports_ready()
    {
        await using var service = CreateService(postgres.ConnectionString);
        using var client = service.CreateClient();

        using var health = await WaitUntilReadyAsync(client);
        var body = await health.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("PostgreSql").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("schema").GetProperty("status").GetString());
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = @schema AND table_name = 'schema_migrations'",
            connection);
        command.Parameters.AddWithValue("schema", Schema);
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Is_alive_but_not_ready_while_its_database_is_unreachable()
    {
        await using var service = CreateService("Host=127.0.0.1;Port=9;Database=nowhere;Username=postgres;Timeout=1");
        using var client = service.CreateClient();

        using var alive = await client.GetAsync("/alive");
        using var health = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }

    [Fact]
    public async Task Serves_metrics_that_pass_promtool()
    {
        await using var service = CreateService(postgres.ConnectionString);
        using var client = service.CreateClient();
        (await WaitUntilReadyAsync(client)).Dispose();

        var exposition = await client.GetStringAsync("/metrics");
        var (exitCode, output) = await Promtool.CheckMetricsAsync(exposition);

        Assert.True(exitCode == 0, output);
        Assert.Contains("http_server_request_duration_seconds_bucket", exposition, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_api_calls_without_a_token_with_a_problem_body()
    {
        await using var service = CreateService(postgres.ConnectionString);
        using var client = service.CreateClient();

        using var response = await client.GetAsync("/api/anything");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Publishes_an_OpenAPI_document_that_lists_every_route_with_the_bearer_scheme()
    {
        await using var service = CreateService(postgres.ConnectionString);
        using var client = service.CreateClient();

        using var response = await client.GetAsync("/openapi/v1.json");
        var document = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = document.GetProperty("paths");
        var missing = new List<string>();
        var routes = 0;
        foreach (var (method, path) in ServiceRoutes(service.Services))
        {
            routes++;
            if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(method.ToLowerInvariant(), out _))
            {
                missing.Add($"{method} {path}");
            }
        }

        Assert.True(routes > 0, "the service maps no API route");
        Assert.True(missing.Count == 0, "routes missing from the OpenAPI document: " + string.Join(", ", missing));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
    }

    /// <summary>Every method and path the service maps, as OpenAPI spells paths, leaving out health, metrics and the document itself.</summary>
    private static IEnumerable<(string Method, string Path)> ServiceRoutes(IServiceProvider services)
    {
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var path = OpenApiPath(endpoint.RoutePattern);
            if (path is "/health" or "/alive" or "/metrics" || path.StartsWith("/openapi/", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            {
                yield return (method, path);
            }
        }
    }

    private static string OpenApiPath(RoutePattern pattern)
    {
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
                    _ => string.Empty,
                });
            }
        }

        return path.Length == 0 ? "/" : path.ToString();
    }

    private static Task<HttpResponseMessage> WaitUntilReadyAsync(HttpClient client) =>
        Eventually.ReturnsAsync(
            () => client.GetAsync("/health"),
            response =>
            {
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }

                response.Dispose();
                return false;
            },
            TimeSpan.FromSeconds(60),
            "the service becoming ready");
}
