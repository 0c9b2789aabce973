var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAuthService();       // Extensions/AuthServiceExtensions.cs

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();

/// <summary>The entry point, visible to the service's tests (WebApplicationFactory).</summary>
public partial class Program;
