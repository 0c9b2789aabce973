using MlOps.TrainerService.Jobs;
using MlOps.TrainerService.Mlflow;
using MlOps.TrainerService.Registry;
using MlOps.TrainerService.Runs;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();      // ServiceDefaults: telemetry, health, discovery, resilience, OpenAPI
builder.AddServiceConventions();   // libs/MlOps.ServiceConventions: errors, request ids, tokens and scopes
builder.AddTrainerService();       // Extensions/TrainerServiceExtensions.cs

var app = builder.Build();
app.UseServiceConventions();
app.MapDefaultEndpoints();
app.MapTrainingJobs();             // Jobs/JobEndpoints.cs
app.MapRuns();                     // Runs/RunEndpoints.cs
app.MapRegistry();                 // Registry/RegistryEndpoints.cs
app.MapModelUploads();             // Registry/ModelUploadEndpoints.cs
app.MapMlflowImport();             // Mlflow/MlflowImportEndpoints.cs
app.Run();

/// <summary>The entry point, visible to the service's tests (WebApplicationFactory).</summary>
public partial class Program;
