using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlOps.ServiceConventions.Auth;

namespace MlOps.ServingService.Models;

public static class ServedModelEndpoints
{
    /// <summary><c>GET /api/serving/models</c>: which version of each model this replica serves, since when.</summary>
    public static void MapServedModels(this WebApplication app) =>
        app.MapGroup("/api/serving").WithTags("Serving")
            .MapGet("/models", (ModelCatalog catalog) => TypedResults.Ok(catalog.Describe()))
            .RequireAuthorization(Scopes.Read)
            .WithName("ListServedModels")
            .WithSummary("Each model alias and pinned version this replica serves, the version behind it, and the last failed reload");
}

/// <summary>Degraded while an alias's newest version failed to load (its previous version keeps serving).</summary>
public sealed class ModelLoadHealthCheck(ModelCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failing = catalog.Failing();
        return Task.FromResult(failing.Count == 0
            ? HealthCheckResult.Healthy($"{catalog.Loaded().Count} aliases loaded.")
            : HealthCheckResult.Degraded(string.Join(" ", failing.Select(slot =>
                $"{slot.Model}@{slot.Alias}: version {slot.Failure!.Version} failed to load ({slot.Failure.Message}); version {slot.Current?.Version} keeps serving."))));
    }
}
