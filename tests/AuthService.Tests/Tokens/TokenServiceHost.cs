using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MlOps.AuthService.Tests.Keys;
using MlOps.TestSupport;

namespace MlOps.AuthService.Tests.Tokens;

/// <summary>
/// The token service in process with a bootstrapped admin and platform client, validating its own tokens (for the
/// admin endpoints) against its own discovery document, as the other services will.
/// </summary>
internal sealed class TokenServiceHost : IAsyncDisposable
{
    public const string Issuer = "http://localhost";
    public const string AdminPassword = "correct horse battery staple";
    public const string PlatformClientId = "mlops-services";
    public const string PlatformClientSecret = "platform-secret-for-tests-0123456789";

    private TokenServiceHost(WebApplicationFactory<Program> factory, string connectionString)
    {
        Factory = factory;
        ConnectionString = connectionString;
        Client = factory.CreateClient();
    }

    public WebApplicationFactory<Program> Factory { get; }

    public string ConnectionString { get; }

    public HttpClient Client { get; }

    public static async Task<TokenServiceHost> StartAsync(
        PostgresFixture postgres,
        TimeProvider? time = null,
        int requestsPerMinute = 10_000,
        Action<IServiceCollection>? testServices = null,
        string? connectionString = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        connectionString ??= await AuthServiceHost.NewDatabaseAsync(postgres);
        WebApplicationFactory<Program>? self = null;
        var factory = AuthServiceHost.Create(connectionString, time, new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
            {
                ["Auth:Authority"] = Issuer,
                ["TokenService:Issuer"] = Issuer,
                ["MLOPS_ADMIN_PASSWORD"] = AdminPassword,
                ["Auth:Client:ClientId"] = PlatformClientId,
                ["Auth:Client:ClientSecret"] = PlatformClientSecret,
                ["TokenService:RequestsPerMinutePerAddress"] = requestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
            })
            .WithWebHostBuilder(web => web.ConfigureTestServices(services =>
            {
                // Configure, not PostConfigure: the bearer handler builds its backchannel in its own post-configure step.
                services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
                    options.BackchannelHttpHandler = self!.Server.CreateHandler());
                testServices?.Invoke(services);
            }));
        self = factory;
        var host = new TokenServiceHost(factory, connectionString);
        await Eventually.ReturnsAsync(
            async () => (await host.Client.GetAsync("/health")).IsSuccessStatusCode,
            ready => ready,
            TimeSpan.FromSeconds(60),
            "the token service becoming ready");
        return host;
    }

    public Task<HttpResponseMessage> TokenAsync(IDictionary<string, string> form, (string Id, string Secret)? basic = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(form) };
        if (basic is { } credentials)
        {
            var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(
                $"{Uri.EscapeDataString(credentials.Id)}:{Uri.EscapeDataString(credentials.Secret)}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", encoded);
        }

        return Client.SendAsync(request);
    }

    public async Task<JsonElement> PasswordTokenAsync(string userName = "admin", string password = AdminPassword, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = userName, ["password"] = password };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var response = await TokenAsync(form);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    /// <summary>An HttpClient that sends the admin's bearer token.</summary>
    public async Task<HttpClient> AdminClientAsync()
    {
        var token = (await PasswordTokenAsync()).GetProperty("access_token").GetString();
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
