using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using MlOps.AuthService.Tests.Tokens;
using MlOps.TestSupport;

namespace MlOps.AuthService.Tests.Flows;

/// <summary>
/// The device authorization flow (RFC 8628), as the command-line tool signs a person in: the tool gets a user code,
/// the person approves it in a browser, and the tool, polling the token endpoint, gets tokens for that person.
/// </summary>
public sealed class DeviceFlowTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Cli = "mlops-cli";

    [Fact]
    public async Task The_command_line_client_gets_a_persons_tokens_once_they_approve_its_code_in_the_browser()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        await BrowserSession.CreateUserAsync(host, "dana", "dana's long password", "data-scientist");
        var device = await AuthorizeDeviceAsync(host, "mlops.read mlops.train mlops.admin");
        Assert.Equal("http://localhost/connect/verify", device.GetProperty("verification_uri").GetString());

        using var pending = await PollAsync(host, device);
        Assert.Equal("authorization_pending", (await pending.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());

        using var browser = BrowserSession.Open(host);
        using var signInPage = await browser.BrowseAsync(new Uri(device.GetProperty("verification_uri_complete").GetString()!).PathAndQuery);
        using var confirm = await browser.SignInAsync(signInPage, "dana", "dana's long password");
        var page = await confirm.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Contains("MlOps command line", page, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(device.GetProperty("user_code").GetString()!), page, StringComparison.Ordinal);
        using var approved = await browser.SubmitAsync(confirm, new Dictionary<string, string> { ["decision"] = "approve" });
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        Assert.Equal("/connect/verify?result=approved", approved.Headers.Location!.OriginalString);

        using var issued = await PollAsync(host, device);
        var body = await issued.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(issued.StatusCode == HttpStatusCode.OK, body.ToString());
        var access = new JsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal("dana", access.GetClaim("name").Value);
        Assert.Equal(Cli, access.GetClaim("client_id").Value);
        // A data scientist's roles do not grant mlops.admin, whatever the tool asked for.
        Assert.Equal("mlops.read mlops.train", body.GetProperty("scope").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("refresh_token").GetString()));

        // The device code is spent.
        using var spent = await PollAsync(host, device);
        Assert.Equal(HttpStatusCode.BadRequest, spent.StatusCode);
    }

    [Fact]
    public async Task A_denied_code_answers_access_denied_and_an_unknown_code_is_named_on_the_page()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        var device = await AuthorizeDeviceAsync(host, "mlops.read");
        using var browser = BrowserSession.Open(host);

        using var signInPage = await browser.BrowseAsync("/connect/verify?user_code=000000000");
        using var unknown = await browser.SignInAsync(signInPage, "admin", TokenServiceHost.AdminPassword);
        Assert.True(unknown.StatusCode == HttpStatusCode.BadRequest, await unknown.Content.ReadAsStringAsync());
        Assert.Contains("This code is not valid", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var confirm = await browser.BrowseAsync("/connect/verify?user_code=" + Uri.EscapeDataString(device.GetProperty("user_code").GetString()!));
        using var denied = await browser.SubmitAsync(confirm, new Dictionary<string, string> { ["decision"] = "deny" });
        Assert.Equal("/connect/verify?result=denied", denied.Headers.Location!.OriginalString);

        using var poll = await PollAsync(host, device);
        Assert.Equal(HttpStatusCode.BadRequest, poll.StatusCode);
        Assert.Equal("access_denied", (await poll.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_verification_page_wants_a_signed_in_person_and_its_form_its_antiforgery_field()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        var device = await AuthorizeDeviceAsync(host, "mlops.read");
        using var browser = BrowserSession.Open(host);
        var verifyUrl = "/connect/verify?user_code=" + Uri.EscapeDataString(device.GetProperty("user_code").GetString()!);

        using var anonymous = await browser.Client.GetAsync(verifyUrl);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Equal("/connect/signin?returnUrl=" + Uri.EscapeDataString(verifyUrl), anonymous.Headers.Location!.OriginalString);

        using var signInPage = await browser.BrowseAsync(verifyUrl);
        using var confirm = await browser.SignInAsync(signInPage, "admin", TokenServiceHost.AdminPassword);
        using var forged = await browser.SubmitAsync(confirm, new Dictionary<string, string> { ["decision"] = "approve" }, withAntiforgery: false);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        using var poll = await PollAsync(host, device);
        Assert.Equal("authorization_pending", (await poll.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    private static async Task<JsonElement> AuthorizeDeviceAsync(TokenServiceHost host, string scope)
    {
        using var response = await host.Client.PostAsync("/connect/device", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = Cli,
            ["scope"] = scope,
        }));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private static Task<HttpResponseMessage> PollAsync(TokenServiceHost host, JsonElement device) =>
        host.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code",
            ["device_code"] = device.GetProperty("device_code").GetString()!,
            ["client_id"] = Cli,
        });
}
