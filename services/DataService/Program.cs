using MlOps.DataService.Datasets;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddDataService();       // Extensions/DataServiceExtensions.cs

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapDatasets();              // Datasets/DatasetEndpoints.cs
app.Run();

/// <summary>The entry point, visible to the service's tests (WebApplicationFactory).</summary>
public partial class Program;
