var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();

/// <summary>The entry point, visible to the gateway's tests (WebApplicationFactory).</summary>
public partial class Program;
