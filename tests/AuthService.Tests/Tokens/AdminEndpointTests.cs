using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.TestSupport;

namespace MlOps.AuthService.Tests.Tokens;

public sealed class AdminEndpointTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly string[] Viewer = ["viewer"];
    private static readonly string[] ReadAndPredict = ["mlops.read", "mlops.predict"];
    private static readonly string[] UnknownRole = ["wizard"];

    [Fact]
    public async Task Admin_endpoints_refuse_callers_without_the_admin_scope()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        var readOnly = (await host.PasswordTokenAsync(scope: "mlops.read")).GetProperty("access_token").GetString();
        using var client = host.Factory.CreateClient();

        using var anonymous = await client.GetAsync("/api/auth/users");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", readOnly);
        using var withoutAdmin = await client.GetAsync("/api/auth/users");
        using var createClient = await client.PostAsJsonAsync("/api/auth/clients", new { clientId = "app", scopes = ReadAndPredict });

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withoutAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, createClient.StatusCode);
    }

    [Fact]
    public async Task Users_are_created_validated_listed_by_page_and_their_password_reset()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        using var admin = await host.AdminClientAsync();

        foreach (var name in new[] { "carol", "bob", "alice" })
        {
            (await admin.PostAsJsonAsync("/api/auth/users", new { userName = name, password = "a long enough password", roles = Viewer })).EnsureSuccessStatusCode();
        }

        using var invalid = await admin.PostAsJsonAsync("/api/auth/users", new { userName = "x", password = "short", roles = UnknownRole });
        using var duplicate = await admin.PostAsJsonAsync("/api/auth/users", new { userName = "Alice", password = "a long enough password", roles = Viewer });
        var first = await admin.GetFromJsonAsync<JsonElement>("/api/auth/users?limit=2");
        var second = await admin.GetFromJsonAsync<JsonElement>($"/api/auth/users?limit=2&cursor={first.GetProperty("nextCursor").GetString()}");
        using var badLimit = await admin.GetAsync("/api/auth/users?limit=5000");
        using var reset = await admin.PostAsJsonAsync("/api/auth/users/bob/password", new { password = "bobs brand new password" });

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("userName", out _) && errors.TryGetProperty("password", out _) && errors.TryGetProperty("roles", out _));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(["admin", "alice"], first.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("userName").GetString()));
        Assert.Equal(["bob", "carol"], second.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("userName").GetString()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal("mlops.read", (await host.PasswordTokenAsync("bob", "bobs brand new password")).GetProperty("scope").GetString());
    }

    [Fact]
    public async Task A_client_secret_is_shown_once_works_and_stops_working_when_rotated()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        using var admin = await host.AdminClientAsync();

        using var created = await admin.PostAsJsonAsync("/api/auth/clients", new { clientId = "shop-frontend", scopes = ReadAndPredict });
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("clientSecret").GetString()!;
        var listed = await admin.GetStringAsync("/api/auth/clients");
        using var rotated = await admin.PostAsync("/api/auth/clients/shop-frontend/secret", null);
        var newSecret = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("clientSecret").GetString()!;

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await ClientTokenStatusAsync(host, secret));
        Assert.Equal(HttpStatusCode.OK, await ClientTokenStatusAsync(host, newSecret));
    }

    [Fact]
    public async Task A_public_client_has_no_secret_and_redirect_uris_are_checked_when_a_client_is_created()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        using var admin = await host.AdminClientAsync();

        using var created = await admin.PostAsJsonAsync("/api/auth/clients", new
        {
            clientId = "notebook", scopes = ReadAndPredict, type = "public", redirectUris = (string[])["http://127.0.0.1:8888/callback"],
        });
        var client = await admin.GetFromJsonAsync<JsonElement>("/api/auth/clients/notebook");
        using var rotated = await admin.PostAsync("/api/auth/clients/notebook/secret", null);
        using var plainHttp = await admin.PostAsJsonAsync("/api/auth/clients", new { clientId = "web", scopes = ReadAndPredict, redirectUris = (string[])["http://ui.example.com/cb"] });
        using var fragment = await admin.PostAsJsonAsync("/api/auth/clients", new { clientId = "web", scopes = ReadAndPredict, redirectUris = (string[])["https://ui.example.com/cb#x"] });
        using var unknownType = await admin.PostAsJsonAsync("/api/auth/clients", new { clientId = "web", scopes = ReadAndPredict, type = "trusted" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("clientSecret").ValueKind);
        Assert.Equal("public", client.GetProperty("type").GetString());
        Assert.Equal("http://127.0.0.1:8888/callback", Assert.Single(client.GetProperty("redirectUris").EnumerateArray()).GetString());
        Assert.Equal(HttpStatusCode.Conflict, rotated.StatusCode);
        Assert.Contains("has no secret", await rotated.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("must use https", await ProblemErrorAsync(plainHttp, "redirectUris"), StringComparison.Ordinal);
        Assert.Contains("fragment", await ProblemErrorAsync(fragment, "redirectUris"), StringComparison.Ordinal);
        Assert.Contains("'confidential'", await ProblemErrorAsync(unknownType, "type"), StringComparison.Ordinal);
    }

    private static async Task<string> ProblemErrorAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty(field)[0].GetString()!;
    }

    private static async Task<HttpStatusCode> ClientTokenStatusAsync(TokenServiceHost host, string secret)
    {
        using var response = await host.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, ("shop-frontend", secret));
        return response.StatusCode;
    }
}
