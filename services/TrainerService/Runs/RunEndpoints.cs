using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MlOps.Artifacts;
using MlOps.Contracts.Training;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceConventions.Paging;
using MlOps.TrainerService.Jobs;
using MlOps.TrainerService.Persistence;

namespace MlOps.TrainerService.Runs;

/// <summary>
/// <c>/api/runs</c> and <c>/api/experiments</c> (scope mlops.read): a run with its parameters, metrics, timings and
/// artifacts; its metric history; an artifact's content; the experiments and each one's runs, a page at a time.
/// </summary>
public static class RunEndpoints
{
    /// <summary>The most metric points one request returns; a run's history is read a page at a time past it.</summary>
    public const int MaxMetricPoints = 10_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapRuns(this WebApplication app)
    {
        var runs = app.MapGroup("/api/runs").WithTags("Runs").RequireAuthorization(Scopes.Read);
        runs.MapGet("/{id:guid}", GetAsync).WithName("GetRun");
        runs.MapGet("/{id:guid}/metrics", MetricsAsync).WithName("GetRunMetrics")
            .WithSummary("Metric values per step (?name= for one metric), in step order, from ?afterStep=");
        runs.MapGet("/{id:guid}/artifacts/{name}", ArtifactAsync).WithName("GetRunArtifact");

        var experiments = app.MapGroup("/api/experiments").WithTags("Runs").RequireAuthorization(Scopes.Read);
        experiments.MapGet("/", ListExperimentsAsync).WithName("ListExperiments");
        experiments.MapGet("/{name}/runs", ListRunsAsync).WithName("ListExperimentRuns").WithSummary("The experiment's runs, newest first");
    }

    public static RunResponse ToResponse(Run run) => new(
        run.Id,
        run.Experiment,
        run.JobId,
        run.Attempt,
        run.Status,
        run.Algorithm,
        run.Task,
        run.Target,
        JsonSerializer.Deserialize<Dictionary<string, string>>(run.ParametersJson, Json)!,
        new RunDataset(run.Dataset, run.DatasetVersion, run.DatasetSha256),
        JsonSerializer.Deserialize<Dictionary<string, double>>(run.MetricsJson, Json)!,
        run.TimingsJson is null ? null : JsonSerializer.Deserialize<RunTimings>(run.TimingsJson, Json),
        JsonSerializer.Deserialize<List<RunArtifact>>(run.ArtifactsJson, Json)!,
        run.ModelVersion,
        run.Worker,
        run.Error,
        run.StartedAt,
        run.FinishedAt);

    private static async Task<Results<Ok<RunResponse>, ProblemHttpResult>> GetAsync(Guid id, TrainerDbContext db, CancellationToken ct)
    {
        var run = await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        return run is null ? RunNotFound(id) : TypedResults.Ok(ToResponse(run));
    }

    private static async Task<Results<Ok<MetricPoint[]>, ProblemHttpResult>> MetricsAsync(
        Guid id, string? name, int? afterStep, TrainerDbContext db, CancellationToken ct)
    {
        if (!await db.Runs.AnyAsync(r => r.Id == id, ct))
        {
            return RunNotFound(id);
        }

        var query = db.RunMetrics.AsNoTracking().Where(m => m.RunId == id && m.Step > (afterStep ?? int.MinValue));
        if (name is not null)
        {
            query = query.Where(m => m.Name == name);
        }

        var points = await query.OrderBy(m => m.Step).ThenBy(m => m.Name).Take(MaxMetricPoints)
            .Select(m => new MetricPoint(m.Name, m.Step, m.Value, m.At))
            .ToArrayAsync(ct);
        return TypedResults.Ok(points);
    }

    private static async Task<IResult> ArtifactAsync(Guid id, string name, TrainerDbContext db, IArtifactStore store, CancellationToken ct)
    {
        var run = await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (run is null)
        {
            return RunNotFound(id);
        }

        var artifact = JsonSerializer.Deserialize<List<RunArtifact>>(run.ArtifactsJson, Json)!.FirstOrDefault(a => a.Name == name);
        var key = artifact is null
            ? null
            : name == RunArtifactNames.Model
                ? await db.ModelVersions.Where(v => v.RunId == id).Select(v => v.ArtifactKey).SingleOrDefaultAsync(ct)
                : RunArtifactNames.KeyOf(id, name);
        if (key is null)
        {
            return TypedResults.Problem(
                $"Run {id} has no artifact '{name}'.", statusCode: StatusCodes.Status404NotFound, title: "Artifact not found");
        }

        return TypedResults.Stream(await store.OpenReadAsync(key, ct), artifact!.ContentType, fileDownloadName: name,
            entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{artifact.Sha256}\""));
    }

    private static async Task<Results<Ok<Page<ExperimentSummary>>, ValidationProblem>> ListExperimentsAsync(
        int? limit, string? cursor, TrainerDbContext db, CancellationToken ct)
    {
        var (page, errors) = Pages.Read(limit, cursor);
        if (page is null)
        {
            return TypedResults.ValidationProblem(errors!);
        }

        var query = db.Experiments.AsNoTracking().OrderBy(e => e.Name).AsQueryable();
        if (page.After is not null)
        {
            query = query.Where(e => e.Name.CompareTo(page.After) > 0);
        }

        var rows = await query.Take(page.Limit + 1)
            .Select(e => new ExperimentSummary(
                e.Name,
                db.Runs.Count(r => r.Experiment == e.Name),
                e.CreatedAt,
                db.Runs.Where(r => r.Experiment == e.Name).Max(r => (DateTimeOffset?)r.StartedAt)))
            .ToListAsync(ct);
        var next = rows.Count > page.Limit ? Pages.EncodeCursor(rows[page.Limit - 1].Name) : null;
        return TypedResults.Ok(new Page<ExperimentSummary>(rows.Take(page.Limit).ToArray(), next));
    }

    private static async Task<Results<Ok<Page<RunResponse>>, ValidationProblem, ProblemHttpResult>> ListRunsAsync(
        string name, int? limit, string? cursor, TrainerDbContext db, CancellationToken ct)
    {
        var (page, errors) = Pages.Read(limit, cursor);
        Guid after = default;
        if (page is null || (page.After is not null && !Guid.TryParse(page.After, out after)))
        {
            return TypedResults.ValidationProblem(errors ?? new() { ["cursor"] = ["The cursor is not one this API handed out."] });
        }

        if (!await db.Experiments.AnyAsync(e => e.Name == name, ct))
        {
            return TypedResults.Problem($"No experiment is named '{name}'.", statusCode: StatusCodes.Status404NotFound, title: "Experiment not found");
        }

        var query = db.Runs.AsNoTracking().Where(r => r.Experiment == name);
        if (page.After is not null)
        {
            query = query.Where(r => r.Id.CompareTo(after) < 0);
        }

        var rows = await query.OrderByDescending(r => r.Id).Take(page.Limit + 1).ToListAsync(ct);
        var next = rows.Count > page.Limit ? Pages.EncodeCursor(rows[page.Limit - 1].Id.ToString()) : null;
        return TypedResults.Ok(new Page<RunResponse>(rows.Take(page.Limit).Select(ToResponse).ToArray(), next));
    }

    private static ProblemHttpResult RunNotFound(Guid id) =>
        TypedResults.Problem($"No run has the id {id}.", statusCode: StatusCodes.Status404NotFound, title: "Run not found");
}
