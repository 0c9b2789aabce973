using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using MlOps.Contracts.Training;
using MlOps.TrainerService.Jobs;
using MlOps.TrainerService.Mlflow;
using MlOps.TrainerService.Persistence;
using MlOps.TrainerService.Runs;

namespace MlOps.TrainerService.Registry;

/// <summary>Promotion policies of a job: what it does with the <c>production</c> alias once its version is registered.</summary>
public static class PromotionPolicy
{
    public const string Never = "never";
    public const string IfBetter = "if-better";
    public const string Always = "always";
    public const string ProductionAlias = "production";

    public static readonly IReadOnlyList<string> All = [Never, IfBetter, Always];
}

/// <summary>A successful attempt, ready to become a model version: the row to insert and what its run records.</summary>
public sealed record CandidateVersion(
    TrainingJob Job,
    ClaimedJob Claim,
    ModelVersion Version,
    string RunMetricsJson,
    string RunArtifactsJson,
    string RunTimingsJson);

/// <summary>
/// A version made elsewhere, with the succeeded job and run that record it (so lineage and the run pages work as for a
/// trained version): brought in from MLflow (<see cref="Mlflow"/>: the ids it came from), or registered from an
/// uploaded file.
/// </summary>
public sealed record RecordedVersion(TrainingJob Job, Run Run, ModelVersion Version, MlflowOrigin? Mlflow);

/// <summary>The MLflow model version (and its run, when it has one) a version was imported from.</summary>
public sealed record MlflowOrigin(string Version, string? Run);

/// <summary>The current production version's score on the candidate's validation split, or why it has none.</summary>
public sealed record IncumbentScore(double? Value, string? Problem);

/// <summary>What an alias move did.</summary>
public enum AliasMoveResult
{
    Moved,
    Unchanged,
    ModelNotFound,
    VersionNotFound,
}

/// <summary>
/// Writes to the registry. Every write to one model runs under that model's advisory lock, so version numbers are
/// consecutive and promotion decisions see the alias they compare with; every write bumps the model's revision from
/// one sequence and sends a NOTIFY that wakes long-polls in every replica.
/// </summary>
public sealed class ModelRegistry(TrainerDbContext db, TimeProvider time, ModelChangeSignal signal, MlflowOutbox mlflow)
{
    private const int DecisionAttempts = 3;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Registers the candidate as the model's next version, applies the job's promotion policy, and ends the run and
    /// the job as succeeded, in one transaction. Null when the worker no longer holds the job (nothing is written).
    /// </summary>
    public async Task<(int Version, PromotionOutcome Promotion)?> RegisterAsync(
        CandidateVersion candidate,
        Func<ModelVersion, CancellationToken, Task<IncumbentScore>> scoreIncumbent,
        CancellationToken cancellationToken)
    {
        var job = candidate.Job;
        for (var attempt = 1; ; attempt++)
        {
            var incumbent = await ProductionVersionAsync(job.Model, cancellationToken);
            var decision = await DecideAsync(candidate, incumbent, scoreIncumbent, cancellationToken);
            var strategy = db.Database.CreateExecutionStrategy();
            var outcome = await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                await LockAsync(job.Model, cancellationToken);
                var current = await db.Aliases.AsNoTracking()
                    .Where(a => a.Model == job.Model && a.Alias == PromotionPolicy.ProductionAlias)
                    .Select(a => (int?)a.Version)
                    .SingleOrDefaultAsync(cancellationToken);
                if (current != incumbent?.Version)
                {
                    return ((int, PromotionOutcome)?)null;
                }

                var now = time.GetUtcNow();
                await db.Database.ExecuteSqlInterpolatedAsync(
                    $"""
                    INSERT INTO trainer.models (name, revision, created_at, updated_at)
                    VALUES ({job.Model}, nextval('trainer.registry_revision'), {now}, {now})
                    ON CONFLICT (name) DO UPDATE SET revision = nextval('trainer.registry_revision'), updated_at = {now}
                    """,
                    cancellationToken);
                var number = (await db.ModelVersions.Where(v => v.Model == job.Model).MaxAsync(v => (int?)v.Version, cancellationToken) ?? 0) + 1;
                var version = candidate.Version;
                version.Version = number;
                version.CreatedAt = now;
                db.ModelVersions.Add(version);
                await db.SaveChangesAsync(cancellationToken);
                await mlflow.VersionRegisteredAsync(job.Model, number, cancellationToken);
                if (decision.Promoted)
                {
                    await MoveInTransactionAsync(
                        job.Model, PromotionPolicy.ProductionAlias, number, $"job {job.Id} (submitted by {job.CreatedBy})", decision.Reason, job.Id, now, cancellationToken);
                }

                var promotion = decision with { NewValue = version.PrimaryValue };
                var claim = candidate.Claim;
                await db.Runs.Where(r => r.Id == claim.RunId).ExecuteUpdateAsync(
                    run => run
                        .SetProperty(r => r.Status, RunStatus.Succeeded)
                        .SetProperty(r => r.MetricsJson, candidate.RunMetricsJson)
                        .SetProperty(r => r.ArtifactsJson, candidate.RunArtifactsJson)
                        .SetProperty(r => r.TimingsJson, candidate.RunTimingsJson)
                        .SetProperty(r => r.ModelVersion, number)
                        .SetProperty(r => r.FinishedAt, now),
                    cancellationToken);
                var ended = await db.Jobs
                    .Where(j => j.Id == claim.JobId && j.Status == JobStatus.Running && j.LeaseOwner == claim.Worker && j.Attempts == claim.Attempt)
                    .ExecuteUpdateAsync(
                        update => update
                            .SetProperty(j => j.Status, JobStatus.Succeeded)
                            .SetProperty(j => j.ModelVersion, number)
                            .SetProperty(j => j.PromotionJson, JsonSerializer.Serialize(promotion, Json))
                            .SetProperty(j => j.LeaseOwner, (string?)null)
                            .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null)
                            .SetProperty(j => j.Error, (string?)null)
                            .SetProperty(j => j.FinishedAt, now),
                        cancellationToken);
                if (ended == 0)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    return (0, promotion);
                }

                await NotifyAsync(job.Model, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return (number, promotion);
            });

            if (outcome is { } registered)
            {
                signal.Pulse();
                return registered.Item1 == 0 ? null : registered;
            }

            if (attempt == DecisionAttempts)
            {
                throw new InvalidOperationException(
                    $"The production alias of '{job.Model}' kept moving while the job compared against it; gave up after {attempt} tries.");
            }
        }
    }

    /// <summary>
    /// Registers a version made elsewhere as the model's next version, with its job and its run, in one transaction.
    /// An MLflow import also records the mappings to its MLflow version and run (so the mirror sends its alias moves to
    /// that version and never mirrors it back as a new one); an uploaded file is mirrored like a trained version. When
    /// the MLflow version was imported before, or the same file was registered before with the same descriptor,
    /// answers that version and writes nothing.
    /// </summary>
    public async Task<(int Version, bool Created)> RegisterRecordedAsync(RecordedVersion imported, CancellationToken cancellationToken)
    {
        var model = imported.Version.Model;
        var strategy = db.Database.CreateExecutionStrategy();
        var result = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await LockAsync(model, cancellationToken);
            var existing = imported.Mlflow is { } origin
                ? await ImportedAsAsync(model, origin.Version, cancellationToken)
                : await SameFileAsync(imported.Version, cancellationToken);
            if (existing is { } found)
            {
                return (found, false);
            }

            var now = time.GetUtcNow();
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO trainer.experiments (name, created_at) VALUES ({imported.Job.Experiment}, {now}) ON CONFLICT (name) DO NOTHING",
                cancellationToken);
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""
                INSERT INTO trainer.models (name, revision, created_at, updated_at)
                VALUES ({model}, nextval('trainer.registry_revision'), {now}, {now})
                ON CONFLICT (name) DO UPDATE SET revision = nextval('trainer.registry_revision'), updated_at = {now}
                """,
                cancellationToken);
            var number = (await db.ModelVersions.Where(v => v.Model == model).MaxAsync(v => (int?)v.Version, cancellationToken) ?? 0) + 1;
            imported.Job.ModelVersion = number;
            imported.Job.RunId = imported.Run.Id;
            imported.Run.ModelVersion = number;
            imported.Version.Version = number;
            imported.Version.CreatedAt = now;
            db.Jobs.Add(imported.Job);
            await db.SaveChangesAsync(cancellationToken);
            db.Runs.Add(imported.Run);
            await db.SaveChangesAsync(cancellationToken);
            db.ModelVersions.Add(imported.Version);
            await db.SaveChangesAsync(cancellationToken);
            if (imported.Mlflow is { } source)
            {
                await mlflow.ImportedAsync(model, number, source.Version, imported.Run.Id, source.Run, cancellationToken);
            }
            else
            {
                await mlflow.VersionRegisteredAsync(model, number, cancellationToken);
            }

            await NotifyAsync(model, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (number, true);
        });
        if (result.Item2)
        {
            signal.Pulse();
        }

        return result;
    }

    /// <summary>Our version that MLflow version <paramref name="mlflowVersion"/> of the model of the same name is (mirrored or imported), if any.</summary>
    public async Task<int?> ImportedAsAsync(string model, string mlflowVersion, CancellationToken cancellationToken)
    {
        var prefix = model + "/";
        var mapped = await db.Database
            .SqlQuery<string>($"SELECT our_id AS \"Value\" FROM trainer.mlflow_mappings WHERE kind = 'version' AND mlflow_id = {mlflowVersion}")
            .ToListAsync(cancellationToken);
        foreach (var ours in mapped)
        {
            if (ours.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(ours.AsSpan(prefix.Length), out var version))
            {
                return version;
            }
        }

        return null;
    }

    /// <summary>The model's version holding the same file, in the same format, read through the same descriptor, if any.</summary>
    private async Task<int?> SameFileAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        var candidates = await db.ModelVersions.AsNoTracking()
            .Where(v => v.Model == version.Model && v.ArtifactSha256 == version.ArtifactSha256 && v.Format == version.Format)
            .OrderBy(v => v.Version)
            .Select(v => new { v.Version, v.DescriptorJson })
            .ToListAsync(cancellationToken);
        var descriptor = version.DescriptorJson is { } json ? JsonNode.Parse(json) : null;
        foreach (var candidate in candidates)
        {
            // jsonb keeps its own key order and spacing: compare the documents, not their text.
            if (JsonNode.DeepEquals(descriptor, candidate.DescriptorJson is { } stored ? JsonNode.Parse(stored) : null))
            {
                return candidate.Version;
            }
        }

        return null;
    }

    /// <summary>Points <paramref name="alias"/> at <paramref name="version"/>, or removes it when null, recording the move.</summary>
    public async Task<(AliasMoveResult Result, int? From)> MoveAliasAsync(
        string model, string alias, int? version, string actor, string reason, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        var result = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await LockAsync(model, cancellationToken);
            if (!await db.Models.AnyAsync(m => m.Name == model, cancellationToken))
            {
                return (AliasMoveResult.ModelNotFound, (int?)null);
            }

            if (version is { } number && !await db.ModelVersions.AnyAsync(v => v.Model == model && v.Version == number, cancellationToken))
            {
                return (AliasMoveResult.VersionNotFound, null);
            }

            var from = await MoveInTransactionAsync(model, alias, version, actor, reason, null, time.GetUtcNow(), cancellationToken);
            if (from == version)
            {
                return (AliasMoveResult.Unchanged, from);
            }

            await NotifyAsync(model, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (AliasMoveResult.Moved, from);
        });
        if (result.Item1 == AliasMoveResult.Moved)
        {
            signal.Pulse();
        }

        return result;
    }

    private Task<ModelVersion?> ProductionVersionAsync(string model, CancellationToken cancellationToken) =>
        db.Aliases.AsNoTracking()
            .Where(a => a.Model == model && a.Alias == PromotionPolicy.ProductionAlias)
            .Join(db.ModelVersions.AsNoTracking(), a => new { a.Model, a.Version }, v => new { v.Model, v.Version }, (_, v) => v)
            .SingleOrDefaultAsync(cancellationToken);

    private static async Task<PromotionOutcome> DecideAsync(
        CandidateVersion candidate,
        ModelVersion? incumbent,
        Func<ModelVersion, CancellationToken, Task<IncumbentScore>> scoreIncumbent,
        CancellationToken cancellationToken)
    {
        var job = candidate.Job;
        var metric = candidate.Version.PrimaryMetric;
        var value = candidate.Version.PrimaryValue;
        PromotionOutcome Outcome(bool promoted, double? current, string reason) =>
            new(job.Promote, promoted, incumbent?.Version, metric, value, current, reason);

        switch (job.Promote)
        {
            case PromotionPolicy.Never:
                return Outcome(false, null, "The job's policy is 'never': production was left as it was.");
            case PromotionPolicy.Always:
                return Outcome(true, null, incumbent is null
                    ? "The job's policy is 'always', and the model had no production version."
                    : $"The job's policy is 'always': production moved from version {incumbent.Version} unconditionally.");
        }

        if (incumbent is null)
        {
            return Outcome(true, null, "The model had no production version: the first version under 'if-better' becomes production.");
        }

        var score = await scoreIncumbent(incumbent, cancellationToken);
        if (score.Value is not { } current)
        {
            return Outcome(false, null,
                $"Production version {incumbent.Version} could not be scored on this version's validation split ({score.Problem}), so it was not shown to be worse: production was left as it was.");
        }

        var beats = ModelMetrics.Beats(metric, value, current);
        var direction = ModelMetrics.HigherIsBetter(metric) ? "higher" : "lower";
        return Outcome(beats, current, beats
            ? $"{metric} {value:G6} beats production version {incumbent.Version}'s {current:G6} on this version's validation split ({direction} is better)."
            : $"{metric} {value:G6} does not beat production version {incumbent.Version}'s {current:G6} on this version's validation split ({direction} is better): production was left as it was.");
    }

    /// <summary>Moves an alias inside the caller's transaction, recording the move; returns the version it pointed at before.</summary>
    private async Task<int?> MoveInTransactionAsync(
        string model, string alias, int? version, string actor, string reason, Guid? jobId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var from = await db.Aliases.AsNoTracking()
            .Where(a => a.Model == model && a.Alias == alias)
            .Select(a => (int?)a.Version)
            .SingleOrDefaultAsync(cancellationToken);
        if (from == version)
        {
            return from;
        }

        if (version is { } number)
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""
                INSERT INTO trainer.model_aliases (model, alias, version, updated_at) VALUES ({model}, {alias}, {number}, {now})
                ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at
                """,
                cancellationToken);
        }
        else
        {
            await db.Aliases.Where(a => a.Model == model && a.Alias == alias).ExecuteDeleteAsync(cancellationToken);
        }

        db.AliasHistory.Add(new AliasHistoryEntry
        {
            Model = model,
            Alias = alias,
            FromVersion = from,
            ToVersion = version,
            Actor = actor,
            Reason = reason,
            JobId = jobId,
            At = now,
        });
        await db.SaveChangesAsync(cancellationToken);
        await mlflow.AliasMovedAsync(model, alias, version, cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE trainer.models SET revision = nextval('trainer.registry_revision'), updated_at = {now} WHERE name = {model}",
            cancellationToken);
        return from;
    }

    private Task<int> LockAsync(string model, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtext({"trainer:model:" + model}))", cancellationToken);

    private Task<int> NotifyAsync(string model, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_notify({ModelChangeSignal.Channel}, {model})", cancellationToken);
}
