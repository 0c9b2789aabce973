using MlOps.ServingService.InferenceLog;
using MlOps.ServingService.Models;
using MlOps.ServingService.Predictions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();      // ServiceDefaults: telemetry, health, discovery, resilience, OpenAPI
builder.AddServiceConventions();   // libs/MlOps.ServiceConventions: errors, request ids, tokens and scopes
builder.AddServingService();       // Extensions/ServingServiceExtensions.cs

var app = builder.Build();
app.UseServiceConventions();
app.MapDefaultEndpoints();
app.UseRateLimiter();
app.MapPredictions();              // Predictions/PredictEndpoints.cs
app.MapServedModels();             // Models/ServedModelEndpoints.cs
app.MapInferenceLog();             // InferenceLog/InferenceLogEndpoints.cs
app.Run();

/// <summary>The entry point, visible to the service's tests (WebApplicationFactory).</summary>
public partial class Program;
