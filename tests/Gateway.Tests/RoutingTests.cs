using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Gateway.Routing;

namespace MlOps.Gateway.Tests;

public sealed class RoutingTests(Backends backends) : IClassFixture<Backends>
{
    public static TheoryData<string, string> RouteFamilies()
    {
        var data = new TheoryData<string, string>();
        foreach (var route in PlatformRoutes.All)
        {
            data.Add(route.PathPrefix, route.Service);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RouteFamilies))]
    public async Task Each_route_family_reaches_its_service_with_path_and_query_intact(string prefix, string service)
    {
        await using var gateway = GatewayFactory.Create(backends.Addresses);
        using var client = gateway.CreateClient();

        var deep = await client.GetFromJsonAsync<EchoedRequest>($"{prefix}/some/thing?limit=5&cursor=abc");
        var bare = await client.GetFromJsonAsync<EchoedRequest>(prefix);

        Assert.Equal(service, deep!.Service);
        Assert.Equal($"{prefix}/some/thing?limit=5&cursor=abc", deep.Path);
        Assert.Equal(service, bare!.Service);
        Assert.Equal(prefix, bare.Path);
    }

    [Fact]
    public async Task Authorization_trace_context_and_request_id_are_forwarded()
    {
        await using var gateway = GatewayFactory.Create(backends.Addresses);
        using var client = gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/predict/churn");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer abc.def.ghi");
        request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        request.Headers.Add("X-Request-Id", "req-77");

        using var response = await client.SendAsync(request);
        var echoed = await response.Content.ReadFromJsonAsync<EchoedRequest>();

        Assert.Equal("serving", echoed!.Service);
        Assert.Equal("POST", echoed.Method);
        Assert.Equal("Bearer abc.def.ghi", echoed.Authorization);
        var parts = echoed.TraceParent!.Split('-');
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", parts[1]);
        Assert.NotEqual("00f067aa0ba902b7", parts[2]);
        Assert.Equal("req-77", echoed.RequestId);
        Assert.Equal("req-77", Assert.Single(response.Headers.GetValues("X-Request-Id")));
    }

    [Fact]
    public async Task Dataset_uploads_pass_the_30_MB_server_default_but_not_the_gateway_upload_limit()
    {
        // On real Kestrel: the in-memory test server enforces no body limit.
        await using var gateway = GatewayFactory.Create(backends.Addresses, new Dictionary<string, string> { ["Gateway:MaxUploadBytes"] = "50000000" });
        gateway.UseKestrel(0);
        gateway.StartServer();
        using var client = gateway.CreateClient();

        using var upload = await client.PostAsync("/api/datasets/big/versions", new ByteArrayContent(new byte[40_000_000]));
        var echoed = await upload.Content.ReadFromJsonAsync<EchoedRequest>();
        using var tooLarge = await PostExpectingContinueAsync(client, "/api/datasets/big/versions", 60_000_000);
        using var elsewhere = await PostExpectingContinueAsync(client, "/api/predict/churn", 40_000_000);

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal(40_000_000, echoed!.BodyBytes);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, elsewhere.StatusCode);
    }

    /// <summary>With <c>Expect: 100-continue</c> the server can refuse a body before it is sent, and the client reads why.</summary>
    private static Task<HttpResponseMessage> PostExpectingContinueAsync(HttpClient client, string path, int bytes)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(new byte[bytes]) };
        request.Headers.ExpectContinue = true;
        return client.SendAsync(request);
    }

    [Fact]
    public async Task Paths_outside_the_public_api_are_not_forwarded()
    {
        await using var gateway = GatewayFactory.Create(backends.Addresses);
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync("/internal/admin");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.TryGetProperty("service", out _));
    }

    [Fact]
    public async Task Each_services_OpenAPI_document_is_served_from_the_service_without_a_token()
    {
        await using var gateway = GatewayFactory.Create(backends.Addresses);
        using var client = gateway.CreateClient();

        foreach (var service in PlatformRoutes.Services)
        {
            var echoed = await client.GetFromJsonAsync<EchoedRequest>($"/openapi/{service}.json");

            Assert.Equal(service, echoed!.Service);
            Assert.Equal("/openapi/v1.json", echoed.Path);
        }
    }

    [Fact]
    public async Task The_API_reference_page_lists_every_service_document_and_needs_nothing_from_the_internet()
    {
        await using var gateway = GatewayFactory.Create(backends.Addresses);
        using var client = gateway.CreateClient();

        using var page = await client.GetAsync("/scalar");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        foreach (var service in PlatformRoutes.Services)
        {
            // Relative to the application's base path, which the page's script resolves in the browser.
            Assert.Contains($"\"url\":\"openapi/{service}.json\"", html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("cdn.jsdelivr.net", html, StringComparison.Ordinal);
        var script = System.Text.RegularExpressions.Regex.Match(html, "<script[^>]+src=\"([^\"]+)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(script), "the page loads no script");
        using var bundle = await client.GetAsync(new Uri(new Uri(client.BaseAddress!, "/scalar/"), script));
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
    }
}
