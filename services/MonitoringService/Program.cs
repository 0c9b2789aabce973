using MlOps.MonitoringService.Drift;
using MlOps.MonitoringService.Feedback;
using MlOps.MonitoringService.Performance;
using MlOps.MonitoringService.Policies;
using MlOps.MonitoringService.Retraining;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();      // ServiceDefaults: telemetry, health, discovery, resilience, OpenAPI
builder.AddServiceConventions();   // libs/MlOps.ServiceConventions: errors, request ids, tokens and scopes
builder.AddMonitoringService();    // Extensions/MonitoringServiceExtensions.cs

var app = builder.Build();
app.UseServiceConventions();
app.MapDefaultEndpoints();
app.MapMonitoringPolicies();       // Policies/PolicyEndpoints.cs
app.MapDriftChecks();              // Drift/DriftEndpoints.cs
app.MapPerformanceChecks();        // Performance/PerformanceEndpoints.cs
app.MapFeedback();                 // Feedback/FeedbackEndpoints.cs
app.MapRetrains();                 // Retraining/RetrainEndpoints.cs
app.Run();

/// <summary>The entry point, visible to the service's tests (WebApplicationFactory).</summary>
public partial class Program;
