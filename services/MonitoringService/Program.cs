using MlOps.MonitoringService.Drift;
using MlOps.MonitoringService.Policies;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddMonitoringService();       // Extensions/MonitoringServiceExtensions.cs

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapMonitoringPolicies();          // Policies/PolicyEndpoints.cs
app.MapDriftChecks();                 // Drift/DriftEndpoints.cs
app.Run();

/// <summary>The entry point, visible to the service's tests (WebApplicationFactory).</summary>
public partial class Program;
