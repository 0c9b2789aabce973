using System.Net;
using System.Net.Sockets;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.TestSupport;

namespace MlOps.EndToEnd.Tests;

/// <summary>The test classes that share one <see cref="RunningPlatform"/> (they run one after another).</summary>
[CollectionDefinition(RunningPlatform.Collection)]
public sealed class SharedRunningPlatform : ICollectionFixture<RunningPlatform>;

/// <summary>One platform, started once for its test classes, the way <c>dotnet run --project AppHost</c> starts it.</summary>
public sealed class RunningPlatform : IAsyncLifetime
{
    public const string Collection = "running platform";

    private readonly TemporaryDirectory _home = TemporaryDirectory.Create("mlops-e2e-");

    public TestPlatform Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Platform = new TestPlatform(_home.Path);
        await Platform.StartAsync(TimeSpan.FromMinutes(3));
    }

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        _home.Dispose();
    }

    /// <summary>A client of the gateway with the admin's token, bought with the password the platform wrote on its first start.</summary>
    public async Task<HttpClient> AdminClientAsync()
    {
        var client = new HttpClient { BaseAddress = Platform.UrlOf("gateway") };
        var password = (await File.ReadAllTextAsync(Path.Combine(Platform.Home, "admin-password"))).Trim();
        using var tokenResponse = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "admin", ["password"] = password,
        }));
        var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

[Collection(RunningPlatform.Collection)]
public sealed class RunningPlatformTests(RunningPlatform running)
{
    private TestPlatform Platform => running.Platform;

    public static TheoryData<string, string> RouteFamilies() => new()
    {
        { "/connect/token", "auth" },
        { "/.well-known/openid-configuration", "auth" },
        { "/api/auth/users", "auth" },
        { "/api/datasets", "data" },
        { "/api/training/jobs", "trainer" },
        { "/api/runs/1", "trainer" },
        { "/api/experiments", "trainer" },
        { "/api/models", "trainer" },
        { "/api/predict/churn", "serving" },
        { "/api/serving/models", "serving" },
        { "/api/feedback", "monitoring" },
        { "/api/monitoring/churn/drift", "monitoring" },
    };

    [Fact]
    public async Task The_gateway_reports_every_service_healthy()
    {
        using var client = new HttpClient { BaseAddress = Platform.UrlOf("gateway") };

        using var response = await client.GetAsync("/health");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var service in new[] { "auth", "data", "trainer", "serving", "monitoring" })
        {
            Assert.Equal("Healthy", body.GetProperty("checks").GetProperty(service).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Every_services_OpenAPI_document_is_served_through_the_gateway_with_its_routes()
    {
        using var client = new HttpClient { BaseAddress = Platform.UrlOf("gateway") };

        foreach (var service in new[] { "auth", "data", "trainer", "serving", "monitoring" })
        {
            var document = await client.GetFromJsonAsync<JsonElement>($"/openapi/{service}.json");

            Assert.Equal($"MlOps {service} API", document.GetProperty("info").GetProperty("title").GetString());
            Assert.True(document.GetProperty("paths").EnumerateObject().Any(path => path.Name.StartsWith("/api/", StringComparison.Ordinal) || path.Name.StartsWith("/connect/", StringComparison.Ordinal)), service);
        }
    }

    [Fact]
    public async Task The_auth_service_metrics_pass_promtool()
    {
        using var client = new HttpClient { BaseAddress = Platform.UrlOf("auth") };

        var exposition = await client.GetStringAsync("/metrics");
        var (exitCode, output) = await Promtool.CheckMetricsAsync(exposition);

        Assert.True(exitCode == 0, output);
    }

    [Theory]
    [MemberData(nameof(RouteFamilies))]
    public async Task Each_route_family_reaches_its_service_under_one_trace(string path, string service)
    {
        using var client = new HttpClient { BaseAddress = Platform.UrlOf("gateway") };
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{traceId}-1111111111111111-01");

        using var response = await client.SendAsync(request);

        // Whatever the service answers, its access log line carries the trace id the caller started.
        Assert.True((int)response.StatusCode < 500, $"{path}: {response.StatusCode}");
        await AssertLoggedAsync(service, traceId);
        await AssertLoggedAsync("gateway", traceId);
        foreach (var other in TestPlatform.Services.Where(s => s != service && s != "gateway"))
        {
            Assert.DoesNotContain(traceId, await Platform.LogOfAsync(other), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_request_carries_its_trace_through_the_gateway_into_the_service_and_the_service_that_one_calls()
    {
        using var client = await AdminClientAsync();
        using var generated = await client.PostAsJsonAsync("/api/datasets/traced/versions/generate", new { generator = "cart-abandonment", rows = 200, seed = 3 });
        Assert.Equal(HttpStatusCode.Created, generated.StatusCode);
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/training/jobs")
        {
            // The trainer asks the data service for the dataset version before it accepts the job.
            Content = JsonContent.Create(new { dataset = "traced", target = "abandoned", algorithm = "logistic-regression", model = "traced" }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-2222222222222222-01");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await AssertLoggedAsync("gateway", traceId);
        await AssertLoggedAsync("trainer", traceId);
        await AssertLoggedAsync("data", traceId);
    }

    [Fact]
    public async Task A_request_without_trace_context_gets_one_trace_id_shared_by_gateway_and_service()
    {
        using var client = new HttpClient { BaseAddress = Platform.UrlOf("gateway") };

        using var response = await client.GetAsync("/api/models");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var traceId = problem.GetProperty("traceId").GetString()!;
        var requestId = Assert.Single(response.Headers.GetValues("X-Request-Id"));

        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.Equal(requestId, problem.GetProperty("requestId").GetString());
        await AssertLoggedAsync("gateway", traceId);
        await AssertLoggedAsync("trainer", traceId);
        await AssertLoggedAsync("trainer", requestId);
    }

    [Fact]
    public async Task The_admin_password_buys_a_token_through_the_gateway_that_every_service_accepts()
    {
        using var client = new HttpClient { BaseAddress = Platform.UrlOf("gateway") };
        var password = (await File.ReadAllTextAsync(Path.Combine(Platform.Home, "admin-password"))).Trim();

        using var tokenResponse = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "admin", ["password"] = password,
        }));
        var token = await tokenResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", token.GetProperty("access_token").GetString());

        // Feature endpoints arrive with later issues: an accepted token meets 404 where a refused one meets 401.
        foreach (var path in new[] { "/api/datasets/x", "/api/models/x", "/api/serving/x", "/api/monitoring/x/nothing" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
        }

        using var users = await client.GetAsync("/api/auth/users");
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
    }

    [Fact]
    public async Task A_dataset_generated_and_uploaded_through_the_gateway_is_versioned_and_profiled()
    {
        using var client = await AdminClientAsync();

        using var generated = await client.PostAsJsonAsync("/api/datasets/carts/versions/generate", new { generator = "cart-abandonment", rows = 1000, seed = 5 });
        using var uploaded = await client.PostAsync("/api/datasets/tiny/versions", new StringContent("a,b\n1,x\n2,y\n", System.Text.Encoding.UTF8, "text/csv"));
        var detail = await client.GetFromJsonAsync<JsonElement>("/api/datasets/carts/versions/latest");

        Assert.Equal(HttpStatusCode.Created, generated.StatusCode);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        Assert.Equal(1000, detail.GetProperty("profile").GetProperty("rows").GetInt64());
        Assert.True(Directory.EnumerateFiles(Path.Combine(Platform.Home, "artifacts"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task A_model_trained_through_the_gateway_becomes_version_1_in_production_above_the_generator_floor()
    {
        using var client = await AdminClientAsync();
        using var generated = await client.PostAsJsonAsync("/api/datasets/carts-e2e/versions/generate", new { generator = "cart-abandonment", rows = 20_000, seed = 7 });
        Assert.Equal(HttpStatusCode.Created, generated.StatusCode);

        using var submitted = await client.PostAsJsonAsync("/api/training/jobs", new
        {
            dataset = "carts-e2e",
            target = "abandoned",
            algorithm = "logistic-regression",
            model = "cart-abandonment",
            promote = "if-better",
        });
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var job = await Eventually.ReturnsAsync(
            () => client.GetFromJsonAsync<JsonElement>(submitted.Headers.Location),
            state => state.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled",
            TimeSpan.FromMinutes(3),
            "the training job ending");
        Assert.True(job.GetProperty("status").GetString() == "succeeded", job.ToString());

        var production = await client.GetFromJsonAsync<JsonElement>("/api/models/cart-abandonment/aliases/production");
        Assert.Equal(1, production.GetProperty("version").GetInt32());
        Assert.Equal("auc", production.GetProperty("primaryMetric").GetProperty("name").GetString());
        // docs/generators.md: a linear model reaches AUC 0.85 or more on cart-abandonment.
        Assert.InRange(production.GetProperty("metrics").GetProperty("auc").GetDouble(), 0.85, 1.0);
        Assert.True(job.GetProperty("promotion").GetProperty("promoted").GetBoolean());
        // Records name the user by the name in the token, not its opaque subject.
        Assert.Equal("admin", job.GetProperty("createdBy").GetString());
        var history = await client.GetFromJsonAsync<JsonElement>("/api/models/cart-abandonment/alias-history");
        Assert.Equal(1, history.GetProperty("items")[0].GetProperty("toVersion").GetInt32());

        // Its ONNX form downloads through the gateway (docs/onnx.md): a model file whose first field is its IR version.
        using var onnx = await client.GetAsync("/api/models/cart-abandonment/versions/1/onnx");
        var onnxBytes = await onnx.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, onnx.StatusCode);
        Assert.Equal("application/onnx", onnx.Content.Headers.ContentType!.MediaType);
        Assert.Equal([0x08, 0x08], onnxBytes[..2]);

        // Served through the gateway, and logged.
        using var predicted = await client.PostAsJsonAsync("/api/predict/cart-abandonment", new Dictionary<string, object>
        {
            ["session_duration"] = 12.5, ["pages_visited"] = 8, ["cart_value"] = 75.2, ["time_of_day"] = "evening",
            ["device_mobile"] = true, ["user_returning"] = false, ["items_in_cart"] = 3,
        });
        Assert.True(predicted.StatusCode == HttpStatusCode.OK, await predicted.Content.ReadAsStringAsync());
        var prediction = (await predicted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions")[0];
        Assert.Equal(1.0, prediction.GetProperty("probabilities").EnumerateObject().Sum(p => p.Value.GetDouble()), 9);
        var id = prediction.GetProperty("id").GetString()!;
        await Eventually.ReturnsAsync(
            () => client.GetStringAsync("/api/serving/inference-log?model=cart-abandonment"),
            log => log.Contains(id, StringComparison.Ordinal),
            TimeSpan.FromSeconds(15),
            "the prediction appearing in the inference log");
    }

    [Fact]
    public async Task The_platform_client_gets_a_service_token_from_the_auth_service()
    {
        using var client = new HttpClient { BaseAddress = Platform.UrlOf("auth") };
        var secret = (await File.ReadAllTextAsync(Path.Combine(Platform.Home, "services-client-secret"))).Trim();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"mlops-services:{Uri.EscapeDataString(secret)}")));

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("mlops.predict mlops.read mlops.train", body.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Failed_sign_ins_lock_out_the_caller_that_made_them_not_every_caller_behind_the_gateway()
    {
        var password = (await File.ReadAllTextAsync(Path.Combine(Platform.Home, "admin-password"))).Trim();
        // Two callers on their own loopback addresses; the gateway is the token service's only peer.
        using var mallory = ClientFrom(IPAddress.Parse("127.0.0.2"));
        using var alice = ClientFrom(IPAddress.Parse("127.0.0.3"));

        // Names that do not exist, so no account locks: only the address counts up to its lock (20 in 15 minutes).
        // Claiming other addresses does not help: the gateway sets X-Forwarded-For itself.
        for (var i = 0; i < 20; i++)
        {
            using var failed = await SignInAsync(mallory, $"nobody-{i}", "wrong password", forwardedFor: $"198.51.100.{i}");
            Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        }

        using var malloryRight = await SignInAsync(mallory, "admin", password, forwardedFor: "198.51.100.200");
        using var aliceRight = await SignInAsync(alice, "admin", password);

        Assert.Equal(HttpStatusCode.BadRequest, malloryRight.StatusCode);
        Assert.Equal(HttpStatusCode.OK, aliceRight.StatusCode);
    }

    [Fact]
    public async Task No_service_logs_a_token_failure_while_the_token_service_starts()
    {
        // Services start once the token service is ready (WaitFor), so none of them meets a client it cannot sign in yet.
        foreach (var service in new[] { "data", "trainer", "serving", "monitoring", "gateway" })
        {
            var log = await Platform.LogOfAsync(service);
            Assert.DoesNotContain("invalid_client", log, StringComparison.Ordinal);
        }
    }

    private HttpClient ClientFrom(IPAddress source) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = Platform.UrlOf("gateway"),
    };

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string userName, string password, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password", ["username"] = userName, ["password"] = password,
            }),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return client.SendAsync(request);
    }

    private async Task AssertLoggedAsync(string service, string text) =>
        await Eventually.ReturnsAsync(
            async () => (await Platform.LogOfAsync(service)).Contains(text, StringComparison.Ordinal),
            found => found,
            TimeSpan.FromSeconds(10),
            $"'{text}' appearing in the {service} log");

    private Task<HttpClient> AdminClientAsync() => running.AdminClientAsync();
}
