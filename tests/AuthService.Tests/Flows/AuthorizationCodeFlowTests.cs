using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using MlOps.AuthService.Tests.Tokens;
using MlOps.TestSupport;

namespace MlOps.AuthService.Tests.Flows;

/// <summary>
/// The authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636), as a web app signs a person in: the browser goes to
/// the authorization endpoint, signs in on the token service's page, comes back to the app with a code, and the app
/// exchanges the code and its PKCE verifier for tokens. And every way it is refused.
/// </summary>
public sealed class AuthorizationCodeFlowTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string WebClient = "web-ui";

    [Fact]
    public async Task A_person_signs_in_through_the_browser_and_the_app_redeems_its_code_with_the_pkce_verifier_once()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        var secret = await BrowserSession.RegisterClientAsync(host, WebClient, ["mlops.read", "mlops.train"], redirectUris: [OAuthBrowser.RedirectUri]);
        using var browser = BrowserSession.Open(host);
        var (verifier, challenge) = OAuthBrowser.Pkce();

        using var signInPage = await browser.BrowseAsync(OAuthBrowser.AuthorizeUrl(WebClient, challenge, "openid mlops.read mlops.train mlops.admin"));
        Assert.Contains("Sign in to MlOps", await signInPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var back = await browser.SignInAsync(signInPage, "admin", TokenServiceHost.AdminPassword);
        var query = OAuthBrowser.RedirectQuery(back);
        Assert.StartsWith(OAuthBrowser.RedirectUri + "?", back.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("state-123", query["state"]);

        using var tokens = await RedeemAsync(host, query["code"], verifier, secret);
        var body = await tokens.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(tokens.StatusCode == HttpStatusCode.OK, body.ToString());
        var access = new JsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal("admin", access.GetClaim("name").Value);
        Assert.Equal("admin", access.GetClaim("role").Value);
        Assert.Equal(WebClient, access.GetClaim("client_id").Value);
        Assert.Equal(["mlops"], access.Audiences);
        // The admin asked for mlops.admin too; the client may have only read and train.
        Assert.Equal(["mlops.read", "mlops.train", "offline_access", "openid"], access.GetClaim("scope").Value.Split(' ').Order(StringComparer.Ordinal));
        var identity = new JsonWebToken(body.GetProperty("id_token").GetString());
        Assert.Equal(access.Subject, identity.Subject);
        Assert.Equal("admin", identity.GetClaim("name").Value);
        Assert.Equal([WebClient], identity.Audiences);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("refresh_token").GetString()));

        // A code is good once.
        using var again = await RedeemAsync(host, query["code"], verifier, secret);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("invalid_grant", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_code_redeemed_with_a_verifier_that_does_not_match_its_challenge_is_refused()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        var secret = await BrowserSession.RegisterClientAsync(host, WebClient, ["mlops.read"], redirectUris: [OAuthBrowser.RedirectUri]);
        using var browser = BrowserSession.Open(host);
        var (_, challenge) = OAuthBrowser.Pkce();
        var (otherVerifier, _) = OAuthBrowser.Pkce();

        using var signInPage = await browser.BrowseAsync(OAuthBrowser.AuthorizeUrl(WebClient, challenge, "mlops.read"));
        using var back = await browser.SignInAsync(signInPage, "admin", TokenServiceHost.AdminPassword);
        var code = OAuthBrowser.RedirectQuery(back)["code"];

        using var wrong = await RedeemAsync(host, code, otherVerifier, secret);
        using var missing = await RedeemAsync(host, code, verifier: null, secret);

        var body = await wrong.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
        Assert.Contains("code_verifier", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    [Theory]
    [InlineData("none", "code_challenge")]
    [InlineData("plain", "code_challenge_method")]
    public async Task An_authorization_request_without_an_S256_challenge_is_refused_with_invalid_request_and_no_code(string method, string named)
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        await BrowserSession.RegisterClientAsync(host, WebClient, ["mlops.read"], redirectUris: [OAuthBrowser.RedirectUri]);
        using var browser = BrowserSession.Open(host);
        var (verifier, challenge) = OAuthBrowser.Pkce();
        var url = method == "none"
            ? OAuthBrowser.AuthorizeUrl(WebClient, challenge).Replace("&code_challenge=" + challenge, string.Empty, StringComparison.Ordinal)
                .Replace("&code_challenge_method=S256", string.Empty, StringComparison.Ordinal)
            : OAuthBrowser.AuthorizeUrl(WebClient, verifier, method: "plain");

        using var response = await browser.BrowseAsync(url);

        // OpenIddict checks the challenge before it trusts the redirect URI, so it answers here rather than redirecting.
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("error:invalid_request", body, StringComparison.Ordinal);
        Assert.Contains($"'{named}'", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_uri_the_client_did_not_register_is_refused_on_the_spot_not_followed()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        await BrowserSession.RegisterClientAsync(host, WebClient, ["mlops.read"], redirectUris: [OAuthBrowser.RedirectUri]);
        using var browser = BrowserSession.Open(host);
        var (_, challenge) = OAuthBrowser.Pkce();

        using var response = await browser.BrowseAsync(OAuthBrowser.AuthorizeUrl(WebClient, challenge, redirectUri: "https://attacker.example/callback"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("invalid_request", body, StringComparison.Ordinal);
        Assert.Contains("redirect_uri", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_sign_in_prompt_none_answers_login_required_and_a_wrong_password_keeps_the_browser_on_the_sign_in_page()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        await BrowserSession.RegisterClientAsync(host, WebClient, ["mlops.read"], redirectUris: [OAuthBrowser.RedirectUri]);
        using var browser = BrowserSession.Open(host);
        var (_, challenge) = OAuthBrowser.Pkce();

        using var silent = await browser.BrowseAsync(OAuthBrowser.AuthorizeUrl(WebClient, challenge) + "&prompt=none");
        Assert.Equal("login_required", OAuthBrowser.RedirectQuery(silent)["error"]);

        using var signInPage = await browser.BrowseAsync(OAuthBrowser.AuthorizeUrl(WebClient, challenge));
        using var refused = await browser.SubmitAsync(signInPage, new Dictionary<string, string> { ["userName"] = "admin", ["password"] = "not the password" });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("The user name or password is incorrect", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(refused.Headers, header => header.Key == "Set-Cookie" && header.Value.Any(v => v.StartsWith("mlops.signin=", StringComparison.Ordinal)));

        // Still not signed in: the authorization request goes to the sign-in page again.
        using var again = await browser.Client.GetAsync(OAuthBrowser.AuthorizeUrl(WebClient, challenge));
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.StartsWith("/connect/signin?", again.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sign_in_form_refuses_a_post_without_its_antiforgery_field_and_never_redirects_off_site()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        using var browser = BrowserSession.Open(host);
        using var page = await browser.BrowseAsync("/connect/signin?returnUrl=" + Uri.EscapeDataString("//attacker.example/x"));
        var credentials = new Dictionary<string, string> { ["userName"] = "admin", ["password"] = TokenServiceHost.AdminPassword };

        using var forged = await browser.SubmitAsync(page, credentials, withAntiforgery: false);
        using var signedIn = await browser.SubmitAsync(page, credentials);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Null(signedIn.Headers.Location);
        Assert.Contains("You are signed in as <b>admin</b>", await signedIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single().Split("; ").Single(d => d.StartsWith("frame-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_person_disabled_after_signing_in_is_sent_to_sign_in_again_and_gets_no_code()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        await BrowserSession.RegisterClientAsync(host, WebClient, ["mlops.read"], redirectUris: [OAuthBrowser.RedirectUri]);
        await BrowserSession.CreateUserAsync(host, "carol", "carol's long password", "viewer");
        using var browser = BrowserSession.Open(host);
        var (_, challenge) = OAuthBrowser.Pkce();
        using var signInPage = await browser.BrowseAsync(OAuthBrowser.AuthorizeUrl(WebClient, challenge, "mlops.read"));
        using var first = await browser.SignInAsync(signInPage, "carol", "carol's long password");
        Assert.True(OAuthBrowser.RedirectQuery(first).ContainsKey("code"));

        using (var admin = await host.AdminClientAsync())
        {
            (await admin.PostAsync("/api/auth/users/carol/disable", null)).EnsureSuccessStatusCode();
        }

        using var after = await browser.Client.GetAsync(OAuthBrowser.AuthorizeUrl(WebClient, challenge, "mlops.read"));
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/connect/signin?", after.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_public_client_uses_the_code_flow_with_pkce_and_no_secret()
    {
        await using var host = await TokenServiceHost.StartAsync(postgres);
        Assert.Null(await BrowserSession.RegisterClientAsync(host, "spa", ["mlops.read"], type: "public", redirectUris: [OAuthBrowser.RedirectUri]));
        using var browser = BrowserSession.Open(host);
        var (verifier, challenge) = OAuthBrowser.Pkce();
        using var signInPage = await browser.BrowseAsync(OAuthBrowser.AuthorizeUrl("spa", challenge, "mlops.read"));
        using var back = await browser.SignInAsync(signInPage, "admin", TokenServiceHost.AdminPassword);

        using var tokens = await RedeemAsync(host, OAuthBrowser.RedirectQuery(back)["code"], verifier, secret: null, clientId: "spa");

        var body = await tokens.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(tokens.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal("mlops.read", body.GetProperty("scope").GetString());
    }

    private static Task<HttpResponseMessage> RedeemAsync(TokenServiceHost host, string code, string? verifier, string? secret, string clientId = WebClient)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = OAuthBrowser.RedirectUri,
            ["client_id"] = clientId,
        };
        if (verifier is not null)
        {
            form["code_verifier"] = verifier;
        }

        if (secret is not null)
        {
            form["client_secret"] = secret;
        }

        return host.TokenAsync(form);
    }
}
