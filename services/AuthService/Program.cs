var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();      // ServiceDefaults: telemetry, health, discovery, resilience, OpenAPI
builder.AddServiceConventions();   // libs/MlOps.ServiceConventions: errors, request ids, tokens and scopes
builder.AddAuthService();          // Extensions/AuthServiceExtensions.cs

var app = builder.Build();
app.UseForwardedHeaders();         // callers' own addresses behind the gateway: Tokens/TrustedProxies.cs
app.UseRateLimiter();              // token requests per address, before OpenIddict answers any
app.Use(app.Services.GetRequiredService<MlOps.AuthService.Keys.TokenServerGate>().InvokeAsync); // 503 until the keys are read
app.UseServiceConventions();
app.MapDefaultEndpoints();
app.MapAuthService();              // /connect/token (OpenIddict serves discovery), /api/auth/users, /api/auth/clients
app.Run();

/// <summary>The entry point, visible to the service's tests (WebApplicationFactory).</summary>
public partial class Program;
