using MlOps.DataService.Datasets;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();      // ServiceDefaults: telemetry, health, discovery, resilience, OpenAPI
builder.AddServiceConventions();   // libs/MlOps.ServiceConventions: errors, request ids, tokens and scopes
builder.AddDataService();          // Extensions/DataServiceExtensions.cs

var app = builder.Build();
app.UseServiceConventions();
app.MapDefaultEndpoints();
app.MapDatasets();                 // Datasets/DatasetEndpoints.cs
app.Run();

/// <summary>The entry point, visible to the service's tests (WebApplicationFactory).</summary>
public partial class Program;
