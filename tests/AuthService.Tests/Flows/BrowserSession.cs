using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using MlOps.AuthService.Tests.Tokens;
using MlOps.TestSupport;

namespace MlOps.AuthService.Tests.Flows;

/// <summary>A browser on the in-process token service, and the admin calls the flow tests set up with.</summary>
internal static class BrowserSession
{
    public static OAuthBrowser Open(TokenServiceHost host) =>
        new(host.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    /// <summary>Registers a client through the admin API and answers its secret (null for a public one).</summary>
    public static async Task<string?> RegisterClientAsync(TokenServiceHost host, string clientId, string[] scopes, string type = "confidential", string[]? redirectUris = null)
    {
        using var admin = await host.AdminClientAsync();
        using var response = await admin.PostAsJsonAsync("/api/auth/clients", new { clientId, scopes, type, redirectUris });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return body.GetProperty("clientSecret").GetString();
    }

    public static async Task CreateUserAsync(TokenServiceHost host, string userName, string password, params string[] roles)
    {
        using var admin = await host.AdminClientAsync();
        using var response = await admin.PostAsJsonAsync("/api/auth/users", new { userName, password, roles });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }
}
