using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MlOps.TrainerService.Persistence;

namespace MlOps.TrainerService.Mlflow;

/// <summary>What the registry asks the mirror to send: a registered version (with its run), or an alias move.</summary>
public sealed record VersionEntry(string Model, int Version);

public sealed record AliasEntry(string Model, string Alias, int? Version);

/// <summary>A run that ended without a version (failed or canceled), queued by the job queue when it ends the attempt.</summary>
public sealed record RunEntry(Guid RunId);

/// <summary>Queues mirror entries inside the caller's transaction, when the mirror is on.</summary>
public sealed class MlflowOutbox(TrainerDbContext db, IOptions<MlflowOptions> options, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task VersionRegisteredAsync(string model, int version, CancellationToken cancellationToken) =>
        EnqueueAsync("version", new VersionEntry(model, version), cancellationToken);

    public Task AliasMovedAsync(string model, string alias, int? version, CancellationToken cancellationToken) =>
        EnqueueAsync("alias", new AliasEntry(model, alias, version), cancellationToken);

    /// <summary>
    /// Records that our version and run are MLflow's version and run (an import): the mirror then sends alias moves to
    /// that version and never sends the version itself. Written whether or not the mirror is on, so turning it on later
    /// does not mirror an import back to MLflow as a new version.
    /// </summary>
    public async Task ImportedAsync(string model, int version, string mlflowVersion, Guid runId, string? mlflowRunId, CancellationToken cancellationToken)
    {
        await MapAsync("version", $"{model}/{version}", mlflowVersion, cancellationToken);
        if (mlflowRunId is not null)
        {
            await MapAsync("run", runId.ToString("N"), mlflowRunId, cancellationToken);
        }
    }

    private Task<int> MapAsync(string kind, string ours, string theirs, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO trainer.mlflow_mappings (kind, our_id, mlflow_id) VALUES ({kind}, {ours}, {theirs}) ON CONFLICT DO NOTHING",
            cancellationToken);

    private async Task EnqueueAsync<T>(string kind, T payload, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var json = JsonSerializer.Serialize(payload, Json);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO trainer.mlflow_outbox (kind, payload, created_at) VALUES ({kind}, {json}::jsonb, {time.GetUtcNow()})",
            cancellationToken);
    }
}
