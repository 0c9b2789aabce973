var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();      // ServiceDefaults: telemetry, health, discovery, resilience, OpenAPI
builder.AddServiceConventions();   // libs/MlOps.ServiceConventions: errors, request ids, tokens and scopes
builder.AddAuthService();          // Extensions/AuthServiceExtensions.cs

var app = builder.Build();
app.UseForwardedHeaders();         // callers' own addresses behind the gateway: Tokens/TrustedProxies.cs
app.UseRateLimiter();              // token requests per address, before OpenIddict answers any
app.Use(app.Services.GetRequiredService<MlOps.AuthService.Keys.TokenServerGate>().InvokeAsync); // 503 until the keys are read
app.UseServiceConventions();
app.UseAntiforgery();              // the sign-in and device verification forms
app.MapDefaultEndpoints();
app.MapAuthService();              // /connect/token, /connect/authorize, /connect/verify, /connect/signin (OpenIddict serves discovery, /connect/device, /connect/revoke, /connect/introspect), /api/auth/users, /api/auth/clients
app.Run();

/// <summary>The entry point, visible to the service's tests (WebApplicationFactory).</summary>
public partial class Program;
