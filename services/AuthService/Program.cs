var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAuthService();       // Extensions/AuthServiceExtensions.cs

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapAuthService();           // discovery, /connect/token, /api/auth/users, /api/auth/clients
app.Run();

/// <summary>The entry point, visible to the service's tests (WebApplicationFactory).</summary>
public partial class Program;
