using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace MlOps.TestSupport;

/// <summary>
/// A person's browser on the token service's pages: cookies kept, redirects followed one at a time so a test sees
/// each, forms posted with the antiforgery field the page carried; and what a client app does around it (PKCE, the
/// authorization request, reading the code off its redirect URI).
/// </summary>
public sealed partial class OAuthBrowser : IDisposable
{
    public const string RedirectUri = "http://127.0.0.1:5173/signin-oidc";

    /// <summary>Over a client that keeps cookies and does not follow redirects itself.</summary>
    public OAuthBrowser(HttpClient client) => Client = client;

    public HttpClient Client { get; }

    /// <summary>A browser on a running service or the gateway: its own cookie jar, redirects seen one by one.</summary>
    public static OAuthBrowser At(Uri baseAddress) =>
        new(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = baseAddress });

    /// <summary>Follows redirects on this site until a page answers or a redirect leaves it (to a client's redirect URI).</summary>
    public async Task<HttpResponseMessage> BrowseAsync(string url)
    {
        var response = await Client.GetAsync(url);
        while (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther
               && response.Headers.Location is { } location && !location.IsAbsoluteUri)
        {
            response.Dispose();
            response = await Client.GetAsync(location);
        }

        return response;
    }

    /// <summary>Fills and posts the form of a page (its antiforgery field included) with these fields.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(HttpResponseMessage page, IDictionary<string, string> fields, bool withAntiforgery = true)
    {
        var html = await page.Content.ReadAsStringAsync();
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match hidden in HiddenField().Matches(html))
        {
            form[WebUtility.HtmlDecode(hidden.Groups["name"].Value)] = WebUtility.HtmlDecode(hidden.Groups["value"].Value);
        }

        if (!withAntiforgery)
        {
            form.Remove("__RequestVerificationToken");
        }

        foreach (var (name, value) in fields)
        {
            form[name] = value;
        }

        var action = WebUtility.HtmlDecode(FormAction().Match(html).Groups["action"].Value);
        return await Client.PostAsync(action, new FormUrlEncodedContent(form));
    }

    /// <summary>Signs in on the page the authorization or verification endpoint sent the browser to, then follows on.</summary>
    public async Task<HttpResponseMessage> SignInAsync(HttpResponseMessage signInPage, string userName, string password)
    {
        Assert.Equal(HttpStatusCode.OK, signInPage.StatusCode);
        using var posted = await SubmitAsync(signInPage, new Dictionary<string, string> { ["userName"] = userName, ["password"] = password });
        Assert.True(posted.StatusCode == HttpStatusCode.Redirect, $"{posted.StatusCode}: {await posted.Content.ReadAsStringAsync()}");
        return await BrowseAsync(posted.Headers.Location!.OriginalString);
    }

    /// <summary>A PKCE verifier and its S256 challenge (RFC 7636 §4.1-4.2).</summary>
    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier))));
    }

    public static string AuthorizeUrl(string clientId, string challenge, string scope = "openid mlops.read mlops.train", string redirectUri = RedirectUri, string method = "S256") =>
        QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["response_type"] = "code",
            ["scope"] = scope,
            ["state"] = "state-123",
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = method,
        });

    /// <summary>The query of the client's redirect URI the browser was sent to.</summary>
    public static Dictionary<string, string> RedirectQuery(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{response.StatusCode}: {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
        var location = response.Headers.Location!;
        Assert.True(location.IsAbsoluteUri, location.OriginalString);
        return QueryHelpers.ParseQuery(location.Query).ToDictionary(pair => pair.Key, pair => pair.Value.ToString());
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex HiddenField();

    [GeneratedRegex("<form method=\"post\" action=\"(?<action>[^\"]+)\">")]
    private static partial Regex FormAction();
}
