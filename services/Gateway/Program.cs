var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();            // Extensions/GatewayExtensions.cs: routes, rate limits, CORS, downstream health

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGateway();
app.Run();

/// <summary>The entry point, visible to the gateway's tests (WebApplicationFactory).</summary>
public partial class Program;
