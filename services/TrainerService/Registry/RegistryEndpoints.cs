using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using MlOps.Artifacts;
using MlOps.Contracts.Registry;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceConventions.Paging;
using MlOps.TrainerService.Jobs;
using MlOps.TrainerService.Persistence;
using MlOps.Contracts;

namespace MlOps.TrainerService.Registry;

/// <summary>
/// <c>/api/models</c>: the registry. Reading needs mlops.read; moving or removing an alias needs mlops.admin. Serving
/// learns of changes cheaply from <c>GET /api/models/changes?after={revision}&amp;wait={seconds}</c> (a long-poll that
/// answers as soon as any model's revision passes <c>after</c>), or per model with <c>If-None-Match</c> on
/// <c>GET /api/models/{name}</c>, whose ETag is its revision.
/// </summary>
public static class RegistryEndpoints
{
    /// <summary>The longest a changes long-poll waits.</summary>
    public const int MaxWaitSeconds = 60;

    private const int MaxChanges = 200;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapRegistry(this WebApplication app)
    {
        var models = app.MapGroup("/api/models").WithTags("Registry");
        models.MapGet("/", ListAsync).RequireAuthorization(Scopes.Read).WithName("ListModels");
        models.MapGet("/changes", ChangesAsync).RequireAuthorization(Scopes.Read).WithName("GetModelChanges")
            .WithSummary("Models changed after ?after= (a revision); ?wait= seconds (at most 60) to long-poll for the next change");
        models.MapGet("/by-dataset/{dataset}/versions/{version:int}", UsageAsync).RequireAuthorization(Scopes.Read).WithName("GetDatasetUsage")
            .WithSummary("Model versions trained on a dataset version, and the queued or running jobs that will train on it");
        models.MapGet("/{name}", GetAsync).RequireAuthorization(Scopes.Read).WithName("GetModel")
            .WithSummary("A model with its aliases; the ETag is its revision, so If-None-Match answers 304 until something changes");
        models.MapGet("/{name}/versions", ListVersionsAsync).RequireAuthorization(Scopes.Read).WithName("ListModelVersions");
        models.MapGet("/{name}/versions/{version:int}", GetVersionAsync).RequireAuthorization(Scopes.Read).WithName("GetModelVersion");
        models.MapGet("/{name}/versions/{version:int}/artifact", ArtifactAsync).RequireAuthorization(Scopes.Read).WithName("GetModelArtifact")
            .WithSummary("The model file, streamed");
        models.MapGet("/{name}/versions/{version:int}/onnx", OnnxAsync).RequireAuthorization(Scopes.Read).WithName("GetModelOnnx")
            .WithSummary("The version as a self-contained ONNX model (docs/onnx.md); 422 when it has no exact ONNX form (hashed text, or a predictor trained by ML.NET)");
        models.MapGet("/{name}/versions/{version:int}/reference", ReferenceAsync).RequireAuthorization(Scopes.Read).WithName("GetReferenceProfile")
            .WithSummary("The training features' profile and the validation predictions' profile");
        models.MapGet("/{name}/aliases/{alias}", GetAliasAsync).RequireAuthorization(Scopes.Read).WithName("GetModelAlias")
            .WithSummary("The version an alias points at");
        models.MapPut("/{name}/aliases/{alias}", MoveAliasAsync).RequireAuthorization(Scopes.Admin).WithName("MoveModelAlias");
        models.MapDelete("/{name}/aliases/{alias}", RemoveAliasAsync).RequireAuthorization(Scopes.Admin).WithName("RemoveModelAlias");
        models.MapGet("/{name}/alias-history", HistoryAsync).RequireAuthorization(Scopes.Read).WithName("GetAliasHistory")
            .WithSummary("Every alias move, newest first (?alias= for one alias)");
    }

    private static async Task<Results<Ok<Page<ModelResponse>>, ValidationProblem>> ListAsync(
        int? limit, string? cursor, TrainerDbContext db, CancellationToken ct)
    {
        var (page, errors) = Pages.Read(limit, cursor);
        if (page is null)
        {
            return TypedResults.ValidationProblem(errors!);
        }

        var query = db.Models.AsNoTracking().OrderBy(m => m.Name).AsQueryable();
        if (page.After is not null)
        {
            query = query.Where(m => m.Name.CompareTo(page.After) > 0);
        }

        var rows = await query.Take(page.Limit + 1).ToListAsync(ct);
        var next = rows.Count > page.Limit ? Pages.EncodeCursor(rows[page.Limit - 1].Name) : null;
        var items = new List<ModelResponse>();
        foreach (var model in rows.Take(page.Limit))
        {
            items.Add(await DescribeAsync(db, model, ct));
        }

        return TypedResults.Ok(new Page<ModelResponse>(items, next));
    }

    private static async Task<Results<Ok<ModelChanges>, ValidationProblem>> ChangesAsync(
        long? after, int? wait, TrainerDbContext db, ModelChangeSignal signal, TimeProvider time, CancellationToken ct)
    {
        if (after is < 0 || wait is < 0 or > MaxWaitSeconds)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [after is < 0 ? "after" : "wait"] = [after is < 0 ? "after is a revision: 0 or more." : $"wait must be between 0 and {MaxWaitSeconds} seconds."],
            });
        }

        var since = after ?? 0;
        var started = time.GetTimestamp();
        var budget = TimeSpan.FromSeconds(wait ?? 0);
        while (true)
        {
            var next = signal.Next();
            var changed = await db.Models.AsNoTracking().Where(m => m.Revision > since).OrderBy(m => m.Revision).Take(MaxChanges).ToListAsync(ct);
            var remaining = budget - time.GetElapsedTime(started);
            if (changed.Count > 0 || remaining <= TimeSpan.Zero)
            {
                var items = new List<ModelChange>(changed.Count);
                foreach (var model in changed)
                {
                    var described = await DescribeAsync(db, model, ct);
                    items.Add(new ModelChange(model.Name, model.Revision, described.LatestVersion, described.Aliases));
                }

                var revision = changed.Count > 0 ? changed[^1].Revision : Math.Max(since, await db.Models.MaxAsync(m => (long?)m.Revision, ct) ?? 0);
                return TypedResults.Ok(new ModelChanges(revision, items));
            }

            // The signal is a hint; a look every few seconds covers a notification lost while reconnecting.
            try
            {
                await next.WaitAsync(remaining < TimeSpan.FromSeconds(5) ? remaining : TimeSpan.FromSeconds(5), time, ct);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    private static async Task<Ok<DatasetUsage>> UsageAsync(string dataset, int version, TrainerDbContext db, CancellationToken ct)
    {
        var versions = await db.ModelVersions.AsNoTracking()
            .Where(v => v.Dataset == dataset && v.DatasetVersion == version)
            .OrderBy(v => v.Model).ThenBy(v => v.Version)
            .Select(v => new ModelVersionReference(v.Model, v.Version))
            .ToArrayAsync(ct);
        var jobs = await db.Jobs.AsNoTracking()
            .Where(j => j.Dataset == dataset && j.DatasetVersion == version && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running))
            .OrderBy(j => j.CreatedAt)
            .Select(j => j.Id)
            .ToArrayAsync(ct);
        return TypedResults.Ok(new DatasetUsage(dataset, version, versions, jobs));
    }

    private static async Task<IResult> GetAsync(string name, HttpContext context, TrainerDbContext db, CancellationToken ct)
    {
        var model = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Name == name, ct);
        if (model is null)
        {
            return ModelNotFound(name);
        }

        var etag = new EntityTagHeaderValue($"\"{model.Revision}\"");
        context.Response.Headers.ETag = etag.ToString();
        if (context.Request.GetTypedHeaders().IfNoneMatch.Any(match => match.Compare(etag, useStrongComparison: false)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok(await DescribeAsync(db, model, ct));
    }

    private static async Task<Results<Ok<Page<ModelVersionResponse>>, ValidationProblem, ProblemHttpResult>> ListVersionsAsync(
        string name, int? limit, string? cursor, TrainerDbContext db, CancellationToken ct)
    {
        var (page, errors) = Pages.Read(limit, cursor);
        var after = 0;
        if (page is null || (page.After is not null && !int.TryParse(page.After, out after)))
        {
            return TypedResults.ValidationProblem(errors ?? new() { ["cursor"] = ["The cursor is not one this API handed out."] });
        }

        if (!await db.Models.AnyAsync(m => m.Name == name, ct))
        {
            return ModelNotFound(name);
        }

        var rows = await db.ModelVersions.AsNoTracking().Where(v => v.Model == name && v.Version > after)
            .OrderBy(v => v.Version).Take(page.Limit + 1).ToListAsync(ct);
        var aliases = await AliasesOfAsync(db, name, ct);
        var next = rows.Count > page.Limit ? Pages.EncodeCursor(rows[page.Limit - 1].Version.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        return TypedResults.Ok(new Page<ModelVersionResponse>(rows.Take(page.Limit).Select(v => ToResponse(v, aliases)).ToArray(), next));
    }

    private static async Task<Results<Ok<ModelVersionResponse>, ProblemHttpResult>> GetVersionAsync(
        string name, int version, TrainerDbContext db, CancellationToken ct) =>
        await DescribeVersionAsync(db, name, version, ct) is { } found ? TypedResults.Ok(found) : VersionNotFound(name, version);

    /// <summary>A version as the API shows it, or null when there is none.</summary>
    internal static async Task<ModelVersionResponse?> DescribeVersionAsync(TrainerDbContext db, string name, int version, CancellationToken ct)
    {
        var found = await FindVersionAsync(db, name, version, ct);
        return found is null ? null : ToResponse(found, await AliasesOfAsync(db, name, ct));
    }

    private static async Task<IResult> ArtifactAsync(string name, int version, TrainerDbContext db, IArtifactStore store, CancellationToken ct)
    {
        var found = await FindVersionAsync(db, name, version, ct);
        if (found is null)
        {
            return VersionNotFound(name, version);
        }

        var onnx = found.Format == ModelFormats.Onnx;
        return TypedResults.Stream(
            await store.OpenReadAsync(found.ArtifactKey, ct),
            onnx ? OnnxExports.ContentType : "application/json",
            fileDownloadName: $"{name}-v{version}.{(onnx ? "onnx" : "json")}",
            entityTag: new EntityTagHeaderValue($"\"{found.ArtifactSha256}\""));
    }

    private static async Task<IResult> OnnxAsync(string name, int version, TrainerDbContext db, OnnxExports exports, CancellationToken ct)
    {
        var found = await FindVersionAsync(db, name, version, ct);
        if (found is null)
        {
            return VersionNotFound(name, version);
        }

        var (file, refusal) = await exports.OpenAsync(found, ct);
        return file is null
            ? TypedResults.Problem(refusal, statusCode: StatusCodes.Status422UnprocessableEntity, title: "No ONNX form")
            : TypedResults.Stream(
                file,
                OnnxExports.ContentType,
                fileDownloadName: $"{name}-v{version}.onnx",
                entityTag: new EntityTagHeaderValue($"\"{found.ArtifactSha256}-{OnnxExports.FormatVersion}\""));
    }

    private static async Task<IResult> ReferenceAsync(string name, int version, TrainerDbContext db, CancellationToken ct)
    {
        var found = await FindVersionAsync(db, name, version, ct);
        if (found is null)
        {
            return VersionNotFound(name, version);
        }

        var reference = JsonSerializer.Deserialize<ReferenceProfile>(found.ReferenceProfileJson, Json)! with { Version = found.Version };
        return TypedResults.Ok(reference);
    }

    private static async Task<Results<Ok<ModelVersionResponse>, ProblemHttpResult>> GetAliasAsync(
        string name, string alias, TrainerDbContext db, CancellationToken ct)
    {
        var version = await db.Aliases.AsNoTracking().Where(a => a.Model == name && a.Alias == alias).Select(a => (int?)a.Version).SingleOrDefaultAsync(ct);
        if (version is null)
        {
            return await db.Models.AnyAsync(m => m.Name == name, ct)
                ? TypedResults.Problem($"Model '{name}' has no alias '{alias}'.", statusCode: StatusCodes.Status404NotFound, title: "Alias not found")
                : ModelNotFound(name);
        }

        return await GetVersionAsync(name, version.Value, db, ct);
    }

    private static async Task<Results<Ok<ModelResponse>, ValidationProblem, ProblemHttpResult>> MoveAliasAsync(
        string name, string alias, MoveAliasRequest request, HttpContext context, ModelRegistry registry, TrainerDbContext db, CancellationToken ct)
    {
        if (AliasProblem(alias) is { } problem)
        {
            return problem;
        }

        if (request.Version is not { } version || version < 1)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["version"] = ["version is required: the version number (1 or more) the alias should point at."] });
        }

        if (request.Reason is { Length: > 500 })
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["reason is at most 500 characters."] });
        }

        var (result, _) = await registry.MoveAliasAsync(
            name, alias, version, context.User.CallerName(), request.Reason ?? "Moved by hand.", ct);
        return result switch
        {
            AliasMoveResult.ModelNotFound => ModelNotFound(name),
            AliasMoveResult.VersionNotFound => TypedResults.Problem(
                $"Model '{name}' has no version {version} to point '{alias}' at.", statusCode: StatusCodes.Status404NotFound, title: "Version not found"),
            _ => TypedResults.Ok(await DescribeAsync(db, await db.Models.AsNoTracking().SingleAsync(m => m.Name == name, ct), ct)),
        };
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RemoveAliasAsync(
        string name, string alias, HttpContext context, ModelRegistry registry, CancellationToken ct)
    {
        if (AliasProblem(alias) is { } problem)
        {
            return problem;
        }

        var (result, from) = await registry.MoveAliasAsync(name, alias, null, context.User.CallerName(), "Removed by hand.", ct);
        return result switch
        {
            AliasMoveResult.ModelNotFound => ModelNotFound(name),
            AliasMoveResult.Unchanged when from is null =>
                TypedResults.Problem($"Model '{name}' has no alias '{alias}'.", statusCode: StatusCodes.Status404NotFound, title: "Alias not found"),
            _ => TypedResults.NoContent(),
        };
    }

    private static async Task<Results<Ok<Page<AliasMove>>, ValidationProblem, ProblemHttpResult>> HistoryAsync(
        string name, string? alias, int? limit, string? cursor, TrainerDbContext db, CancellationToken ct)
    {
        var (page, errors) = Pages.Read(limit, cursor);
        var before = long.MaxValue;
        if (page is null || (page.After is not null && !long.TryParse(page.After, out before)))
        {
            return TypedResults.ValidationProblem(errors ?? new() { ["cursor"] = ["The cursor is not one this API handed out."] });
        }

        if (!await db.Models.AnyAsync(m => m.Name == name, ct))
        {
            return ModelNotFound(name);
        }

        var query = db.AliasHistory.AsNoTracking().Where(e => e.Model == name && e.Id < before);
        if (alias is not null)
        {
            query = query.Where(e => e.Alias == alias);
        }

        var rows = await query.OrderByDescending(e => e.Id).Take(page.Limit + 1).ToListAsync(ct);
        var next = rows.Count > page.Limit ? Pages.EncodeCursor(rows[page.Limit - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        return TypedResults.Ok(new Page<AliasMove>(
            rows.Take(page.Limit).Select(e => new AliasMove(e.Id, e.Model, e.Alias, e.FromVersion, e.ToVersion, e.Actor, e.Reason, e.JobId, e.At)).ToArray(),
            next));
    }

    private static ModelVersionResponse ToResponse(ModelVersion version, IReadOnlyDictionary<string, int> aliases) => new(
        version.Model,
        version.Version,
        version.Algorithm,
        version.Task,
        version.Target,
        JsonSerializer.Deserialize<List<string>>(version.ClassesJson, Json)!,
        JsonSerializer.Deserialize<List<InputField>>(version.InputsJson, Json)!,
        JsonSerializer.Deserialize<Dictionary<string, double>>(version.MetricsJson, Json)!,
        new PrimaryMetric(version.PrimaryMetric, version.PrimaryValue, version.HigherIsBetter),
        new ModelLineage(version.RunId, version.JobId, version.Experiment, version.Dataset, version.DatasetVersion, version.DatasetSha256),
        new ModelArtifact(version.Format, version.ArtifactSize, version.ArtifactSha256),
        aliases.Where(pair => pair.Value == version.Version).Select(pair => pair.Key).Order(StringComparer.Ordinal).ToArray(),
        version.CreatedBy,
        version.CreatedAt,
        version.DescriptorJson is { } descriptor ? JsonSerializer.Deserialize<ModelDescriptor>(descriptor, Json) : null);

    private static async Task<ModelResponse> DescribeAsync(TrainerDbContext db, RegisteredModel model, CancellationToken ct)
    {
        var aliases = await AliasesOfAsync(db, model.Name, ct);
        var versions = await db.ModelVersions.Where(v => v.Model == model.Name)
            .GroupBy(v => v.Model)
            .Select(g => new { Count = g.Count(), Latest = g.Max(v => v.Version) })
            .SingleOrDefaultAsync(ct);
        return new ModelResponse(model.Name, versions?.Latest ?? 0, versions?.Count ?? 0, aliases, model.Revision, model.CreatedAt, model.UpdatedAt);
    }

    private static async Task<IReadOnlyDictionary<string, int>> AliasesOfAsync(TrainerDbContext db, string model, CancellationToken ct) =>
        await db.Aliases.AsNoTracking().Where(a => a.Model == model).OrderBy(a => a.Alias).ToDictionaryAsync(a => a.Alias, a => a.Version, ct);

    private static Task<ModelVersion?> FindVersionAsync(TrainerDbContext db, string name, int version, CancellationToken ct) =>
        db.ModelVersions.AsNoTracking().SingleOrDefaultAsync(v => v.Model == name && v.Version == version, ct);

    private static ValidationProblem? AliasProblem(string alias) =>
        Names.IsValidAlias(alias)
            ? null
            : TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["alias"] = [$"'{alias}' is not an alias name: {Names.AliasRule}."],
            });

    private static ProblemHttpResult ModelNotFound(string name) =>
        TypedResults.Problem($"No model is named '{name}'.", statusCode: StatusCodes.Status404NotFound, title: "Model not found");

    private static ProblemHttpResult VersionNotFound(string name, int version) =>
        TypedResults.Problem($"Model '{name}' has no version {version}.", statusCode: StatusCodes.Status404NotFound, title: "Version not found");
}
