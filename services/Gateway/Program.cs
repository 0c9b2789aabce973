var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();      // ServiceDefaults: telemetry, health, discovery, resilience, OpenAPI
builder.AddServiceConventions();   // libs/MlOps.ServiceConventions: errors, request ids, tokens and scopes
builder.AddGateway();              // Extensions/GatewayExtensions.cs: routes, rate limits, CORS, downstream health

var app = builder.Build();
app.UseServiceConventions();
app.MapDefaultEndpoints();
app.MapGateway();
app.Run();

/// <summary>The entry point, visible to the gateway's tests (WebApplicationFactory).</summary>
public partial class Program;
