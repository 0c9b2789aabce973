using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MlOps.Contracts.Training;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceConventions.Paging;
using MlOps.Learning.Algorithms;
using MlOps.TrainerService.Persistence;

namespace MlOps.TrainerService.Jobs;

/// <summary>
/// <c>/api/training</c>: submit a job (scope mlops.train, answered 202 with its <c>Location</c>), read one or a page
/// of them filtered by status or model (mlops.read), cancel one (mlops.train), and list the algorithms.
/// </summary>
public static class JobEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapTrainingJobs(this WebApplication app)
    {
        var training = app.MapGroup("/api/training").WithTags("Training");
        training.MapPost("/jobs", SubmitAsync).RequireAuthorization(Scopes.Train).WithName("SubmitTrainingJob")
            .WithSummary("Queue a training job; validated up front, answered 202 with the job and its Location");
        training.MapGet("/jobs", ListAsync).RequireAuthorization(Scopes.Read).WithName("ListTrainingJobs")
            .WithSummary("Jobs, newest first, filtered by ?status= and ?model=");
        training.MapGet("/jobs/{id:guid}", GetAsync).RequireAuthorization(Scopes.Read).WithName("GetTrainingJob")
            .WithSummary("A job with its progress while it runs, and its run, model version and promotion once done");
        training.MapPost("/jobs/{id:guid}/cancel", CancelAsync).RequireAuthorization(Scopes.Train).WithName("CancelTrainingJob")
            .WithSummary("Cancel a queued job at once, or a running one at its learner's next iteration");
        training.MapGet("/algorithms", (AlgorithmCatalog catalog) => TypedResults.Ok(catalog.All.Select(AlgorithmCatalog.Describe).ToArray()))
            .RequireAuthorization(Scopes.Read).WithName("ListAlgorithms")
            .WithSummary("The algorithms a job may name, their tasks and hyperparameters");
    }

    public static TrainingJobResponse ToResponse(TrainingJob job) => new(
        job.Id,
        job.Status,
        job.Model,
        job.Experiment,
        job.Dataset,
        job.DatasetVersion,
        job.DatasetSha256,
        job.Target,
        job.Task,
        job.Algorithm,
        JsonSerializer.Deserialize<Dictionary<string, string>>(job.HyperparametersJson, Json)!,
        job.Promote,
        job.PrimaryMetric,
        job.Attempts,
        job.MaxAttempts,
        job.CancelRequested,
        job.ProgressJson is null ? null : JsonSerializer.Deserialize<JobProgress>(job.ProgressJson, Json),
        job.RunId,
        job.ModelVersion,
        job.PromotionJson is null ? null : JsonSerializer.Deserialize<PromotionOutcome>(job.PromotionJson, Json),
        job.Error,
        job.CreatedBy,
        job.CreatedAt,
        job.StartedAt,
        job.FinishedAt,
        job.TaskReason);

    private static async Task<Results<Accepted<TrainingJobResponse>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        TrainingJobRequest request, HttpContext context, JobSubmissions submissions, CancellationToken ct)
    {
        var result = await submissions.SubmitAsync(request, context.User, ct);
        if (result.Unavailable is not null)
        {
            return TypedResults.Problem(
                $"The job could not be validated: {result.Unavailable}. Nothing was queued; try again.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Data service unavailable");
        }

        return result.Job is { } job
            ? TypedResults.Accepted($"/api/training/jobs/{job.Id}", ToResponse(job))
            : TypedResults.ValidationProblem(result.Errors!);
    }

    private static async Task<Results<Ok<TrainingJobResponse>, ProblemHttpResult>> GetAsync(Guid id, TrainerDbContext db, CancellationToken ct)
    {
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, ct);
        return job is null ? JobNotFound(id) : TypedResults.Ok(ToResponse(job));
    }

    private static async Task<Results<Ok<Page<TrainingJobResponse>>, ValidationProblem>> ListAsync(
        string? status, string? model, int? limit, string? cursor, TrainerDbContext db, CancellationToken ct)
    {
        var (page, errors) = Pages.Read(limit, cursor);
        Guid after = default;
        if (page is null || (page.After is not null && !Guid.TryParse(page.After, out after)))
        {
            return TypedResults.ValidationProblem(errors ?? new() { ["cursor"] = ["The cursor is not one this API handed out."] });
        }

        if (status is not null && !JobStatus.All.Contains(status, StringComparer.Ordinal))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"status must be one of: {string.Join(", ", JobStatus.All)}."] });
        }

        // Job ids are version-7 UUIDs: ordering by id is ordering by submission time.
        var query = db.Jobs.AsNoTracking().AsQueryable();
        if (status is not null)
        {
            query = query.Where(j => j.Status == status);
        }

        if (model is not null)
        {
            query = query.Where(j => j.Model == model);
        }

        if (page.After is not null)
        {
            query = query.Where(j => j.Id.CompareTo(after) < 0);
        }

        var rows = await query.OrderByDescending(j => j.Id).Take(page.Limit + 1).ToListAsync(ct);
        var next = rows.Count > page.Limit ? Pages.EncodeCursor(rows[page.Limit - 1].Id.ToString()) : null;
        return TypedResults.Ok(new Page<TrainingJobResponse>(rows.Take(page.Limit).Select(ToResponse).ToArray(), next));
    }

    private static async Task<Results<Ok<TrainingJobResponse>, Accepted<TrainingJobResponse>, ProblemHttpResult>> CancelAsync(
        Guid id, TrainerDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var canceled = await db.Jobs.Where(j => j.Id == id && j.Status == JobStatus.Queued).ExecuteUpdateAsync(
            update => update
                .SetProperty(j => j.Status, JobStatus.Canceled)
                .SetProperty(j => j.CancelRequested, true)
                .SetProperty(j => j.Error, "Canceled on request before it started.")
                .SetProperty(j => j.FinishedAt, now),
            ct);
        if (canceled == 0)
        {
            await db.Jobs.Where(j => j.Id == id && j.Status == JobStatus.Running)
                .ExecuteUpdateAsync(update => update.SetProperty(j => j.CancelRequested, true), ct);
        }

        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, ct);
        return job switch
        {
            null => JobNotFound(id),
            { Status: JobStatus.Canceled } => TypedResults.Ok(ToResponse(job)),
            { Status: JobStatus.Running } => TypedResults.Accepted($"/api/training/jobs/{id}", ToResponse(job)),
            _ => TypedResults.Problem(
                $"Job {id} already ended ({job.Status}); there is nothing to cancel.", statusCode: StatusCodes.Status409Conflict, title: "Job already ended"),
        };
    }

    private static ProblemHttpResult JobNotFound(Guid id) =>
        TypedResults.Problem($"No training job has the id {id}.", statusCode: StatusCodes.Status404NotFound, title: "Job not found");
}
