using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MlOps.Contracts;
using MlOps.Contracts.Monitoring;
using MlOps.MonitoringService.Persistence;
using MlOps.ServiceConventions.Auth;

namespace MlOps.MonitoringService.Policies;

/// <summary>
/// <c>/api/monitoring/{model}/policy</c>: read a model's policy (scope mlops.read; the defaults until one is set) and
/// set it (scope mlops.admin). A policy may be set before the model's first version is registered.
/// </summary>
public static class PolicyEndpoints
{
    public static void MapMonitoringPolicies(this WebApplication app)
    {
        var monitoring = app.MapGroup("/api/monitoring").WithTags("Monitoring");
        monitoring.MapGet("/{model}/policy", GetAsync).RequireAuthorization(Scopes.Read).WithName("GetMonitoringPolicy")
            .WithSummary("The model's monitoring policy, or the defaults if none was set");
        monitoring.MapPut("/{model}/policy", PutAsync).RequireAuthorization(Scopes.Admin).WithName("SetMonitoringPolicy")
            .WithSummary("Set the model's monitoring policy; fields left out take their defaults");
    }

    private static async Task<Results<Ok<MonitoringPolicyResponse>, ValidationProblem>> GetAsync(
        string model, MonitoringDbContext db, CancellationToken ct)
    {
        if (!Names.IsValidName(model))
        {
            return NameProblem(model);
        }

        var row = await db.Policies.AsNoTracking().SingleOrDefaultAsync(p => p.Model == model, ct);
        return TypedResults.Ok(row is null
            ? new MonitoringPolicyResponse(model, ModelPolicy.Default.ToContract(), IsDefault: true, UpdatedBy: null, UpdatedAt: null)
            : Respond(row));
    }

    private static async Task<Results<Ok<MonitoringPolicyResponse>, ValidationProblem>> PutAsync(
        string model, MonitoringPolicy request, HttpContext context, MonitoringDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (!Names.IsValidName(model))
        {
            return NameProblem(model);
        }

        if (!ModelPolicy.TryCreate(request, out var policy, out var errors))
        {
            return TypedResults.ValidationProblem(errors, title: "The policy is not valid");
        }

        var row = await db.Policies.SingleOrDefaultAsync(p => p.Model == model, ct);
        if (row is null)
        {
            row = new PolicyRow { Model = model, UpdatedBy = string.Empty };
            db.Policies.Add(row);
        }

        row.Set(policy, context.User.CallerName(), time.GetUtcNow());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (db.Entry(row).State == EntityState.Added)
        {
            // Another request created the row first: this one, the later, replaces it.
            db.Entry(row).State = EntityState.Detached;
            var existing = await db.Policies.SingleAsync(p => p.Model == model, ct);
            existing.Set(policy, context.User.CallerName(), time.GetUtcNow());
            await db.SaveChangesAsync(ct);
            row = existing;
        }

        return TypedResults.Ok(Respond(row));
    }

    private static MonitoringPolicyResponse Respond(PolicyRow row) =>
        new(row.Model, row.ToPolicy().ToContract(), IsDefault: false, row.UpdatedBy, row.UpdatedAt);

    private static ValidationProblem NameProblem(string model) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]>
        {
            ["model"] = [$"'{model}' is not a model name: {Names.NameRule}."],
        });
}
