using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.TestSupport;

namespace MlOps.EndToEnd.Tests;

/// <summary>
/// The browser and device sign-ins of the running platform, every request through the gateway: a web app's
/// authorization-code flow with PKCE, the command line's device flow, introspection and revocation; and the tokens
/// they give are accepted by the services.
/// </summary>
[Collection(RunningPlatform.Collection)]
public sealed class SignInFlowTests(RunningPlatform running)
{
    private TestPlatform Platform => running.Platform;

    [Fact]
    public async Task A_web_app_signs_a_person_in_through_the_gateway_with_the_code_flow_and_introspects_then_revokes_its_token()
    {
        using var admin = await running.AdminClientAsync();
        using var registered = await admin.PostAsJsonAsync("/api/auth/clients", new
        {
            clientId = "e2e-web", scopes = (string[])["mlops.read"], redirectUris = (string[])[OAuthBrowser.RedirectUri],
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var secret = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("clientSecret").GetString()!;
        using var browser = OAuthBrowser.At(Platform.UrlOf("gateway"));
        var (verifier, challenge) = OAuthBrowser.Pkce();

        using var signInPage = await browser.BrowseAsync(OAuthBrowser.AuthorizeUrl("e2e-web", challenge, "openid mlops.read"));
        using var back = await browser.SignInAsync(signInPage, "admin", await AdminPasswordAsync());
        var code = OAuthBrowser.RedirectQuery(back)["code"];
        var tokens = await PostFormAsync(browser.Client, "/connect/token", new()
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = OAuthBrowser.RedirectUri,
            ["code_verifier"] = verifier, ["client_id"] = "e2e-web", ["client_secret"] = secret,
        });
        var accessToken = tokens.GetProperty("access_token").GetString()!;

        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync("/api/models", accessToken));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusWithTokenAsync("/api/auth/users", accessToken));
        var introspection = new Dictionary<string, string> { ["token"] = accessToken, ["client_id"] = "e2e-web", ["client_secret"] = secret };
        Assert.True((await PostFormAsync(browser.Client, "/connect/introspect", introspection)).GetProperty("active").GetBoolean());
        using var revoked = await browser.Client.PostAsync("/connect/revoke", new FormUrlEncodedContent(introspection));
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.False((await PostFormAsync(browser.Client, "/connect/introspect", introspection)).GetProperty("active").GetBoolean());

        // The same client, on its own behalf: client credentials through the gateway.
        var own = await PostFormAsync(browser.Client, "/connect/token", new()
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "e2e-web", ["client_secret"] = secret,
        });
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync("/api/models", own.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task The_command_line_signs_in_with_a_device_code_approved_at_the_gateway_refreshes_and_its_revoked_refresh_token_stops_working()
    {
        using var cli = new HttpClient { BaseAddress = Platform.UrlOf("gateway") };
        var device = await PostFormAsync(cli, "/connect/device", new() { ["client_id"] = "mlops-cli", ["scope"] = "mlops.read mlops.train" });
        var verificationUri = new Uri(device.GetProperty("verification_uri_complete").GetString()!);
        // The person is sent to the gateway, not to the token service's own port.
        Assert.Equal(Platform.UrlOf("gateway").Authority, verificationUri.Authority);

        using var browser = OAuthBrowser.At(Platform.UrlOf("gateway"));
        using var signInPage = await browser.BrowseAsync(verificationUri.PathAndQuery);
        using var confirm = await browser.SignInAsync(signInPage, "admin", await AdminPasswordAsync());
        using var approved = await browser.SubmitAsync(confirm, new Dictionary<string, string> { ["decision"] = "approve" });
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);

        var poll = new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code",
            ["device_code"] = device.GetProperty("device_code").GetString()!,
            ["client_id"] = "mlops-cli",
        };
        var tokens = await PostFormAsync(cli, "/connect/token", poll);
        Assert.Equal("mlops.read mlops.train", tokens.GetProperty("scope").GetString());
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync("/api/datasets", tokens.GetProperty("access_token").GetString()!));

        // A refresh through the gateway rotates the refresh token; the spent one, presented again, ends the whole sign-in.
        var first = tokens.GetProperty("refresh_token").GetString()!;
        var refreshed = await PostFormAsync(cli, "/connect/token", new()
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = first, ["client_id"] = "mlops-cli",
        });
        var refresh = refreshed.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(first, refresh);
        using var revoked = await cli.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = refresh, ["client_id"] = "mlops-cli",
        }));
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        using var reused = await cli.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["client_id"] = "mlops-cli",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        Assert.Equal("invalid_grant", (await reused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    private async Task<string> AdminPasswordAsync() => (await File.ReadAllTextAsync(Path.Combine(Platform.Home, "admin-password"))).Trim();

    private async Task<HttpStatusCode> StatusWithTokenAsync(string path, string accessToken)
    {
        using var client = new HttpClient { BaseAddress = Platform.UrlOf("gateway") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await client.GetAsync(path);
        return response.StatusCode;
    }

    private static async Task<JsonElement> PostFormAsync(HttpClient client, string path, Dictionary<string, string> form)
    {
        using var response = await client.PostAsync(path, new FormUrlEncodedContent(form));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {body}");
        return body;
    }
}
