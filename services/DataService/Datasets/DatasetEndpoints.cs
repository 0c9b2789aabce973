using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using MlOps.Artifacts;
using MlOps.Contracts.Datasets;
using MlOps.Clients;
using MlOps.Contracts.Registry;
using MlOps.DataService.Persistence;
using MlOps.Learning.Data;
using MlOps.Learning.Generators;
using MlOps.ServiceConventions.Auth;
using MlOps.ServiceConventions.Paging;
using MlOps.Contracts;

namespace MlOps.DataService.Datasets;

/// <summary>
/// <c>/api/datasets</c>: upload or generate versions (scope mlops.train), list datasets and versions, read a version's
/// profile and stream its content (scope mlops.read), delete a version no model stands on (scope mlops.admin).
/// <c>latest</c> stands for a dataset's newest version.
/// </summary>
public static partial class DatasetEndpoints
{
    public static void MapDatasets(this WebApplication app)
    {
        var datasets = app.MapGroup("/api/datasets").WithTags("Datasets");
        datasets.MapGet("/", ListDatasetsAsync).RequireAuthorization(Scopes.Read).WithName("ListDatasets")
            .WithSummary("Datasets, by name, a page at a time");
        datasets.MapPost("/{name}/versions", UploadAsync).RequireAuthorization(Scopes.Train).WithName("UploadDatasetVersion")
            .WithSummary("Upload a CSV, or a zip of one CSV and the images it names (body or multipart field 'file'): a new version, or the existing one for identical content")
            .DisableAntiforgery();
        datasets.MapPost("/{name}/versions/generate", GenerateAsync).RequireAuthorization(Scopes.Train).WithName("GenerateDatasetVersion")
            .WithSummary("Generate a version from a built-in generator, deterministic for a seed");
        datasets.MapGet("/{name}/versions", ListVersionsAsync).RequireAuthorization(Scopes.Read).WithName("ListDatasetVersions");
        datasets.MapGet("/{name}/versions/{version}", GetVersionAsync).RequireAuthorization(Scopes.Read).WithName("GetDatasetVersion")
            .WithSummary("A version's metadata and profile; {version} is a number or 'latest'");
        datasets.MapGet("/{name}/versions/{version}/content", GetContentAsync).RequireAuthorization(Scopes.Read).WithName("GetDatasetContent")
            .WithSummary("The version's content, streamed: its CSV, or its zip archive");
        datasets.MapDelete("/{name}/versions/{version:int}", DeleteVersionAsync).RequireAuthorization(Scopes.Admin).WithName("DeleteDatasetVersion")
            .WithSummary("Delete a version and its content, unless a registered model version or a queued or running job stands on it");
    }

    private static async Task<Results<Created<DatasetVersionResponse>, Ok<DatasetVersionResponse>, ProblemHttpResult, ValidationProblem>> UploadAsync(
        string name, string? badImages, HttpContext context, DatasetVersions versions, IOptions<DatasetOptions> options, CancellationToken ct)
    {
        if (NameProblem(name) is { } nameProblem)
        {
            return nameProblem;
        }

        var policy = badImages switch
        {
            null or "refuse" => BadImagePolicy.Refuse,
            "missing" => BadImagePolicy.Missing,
            _ => (BadImagePolicy?)null,
        };
        if (policy is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["badImages"] = [$"badImages is 'refuse' (the default: an archive with an unusable image is refused) or 'missing' (such images count as missing values), not '{badImages}'."],
            });
        }

        var limit = options.Value.MaxUploadBytes;
        if (context.Request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        // The limit Kestrel enforces while the body streams in, for bodies without a Content-Length.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit;
        }

        var mediaType = MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var parsed) ? parsed.MediaType.Value : null;
        Stream? body = mediaType switch
        {
            "text/csv" or "application/csv" or "text/plain" or "application/zip" or "application/x-zip-compressed" => context.Request.Body,
            "multipart/form-data" => await FileSectionAsync(context.Request, parsed!, ct),
            _ => null,
        };
        if (body is null)
        {
            return mediaType == "multipart/form-data"
                ? TypedResults.Problem("The multipart body has no part named 'file'.", statusCode: StatusCodes.Status400BadRequest, title: "No file")
                : TypedResults.Problem(
                    $"Send a CSV as text/csv (or application/csv, text/plain), a zip archive as application/zip, or either as multipart/form-data with a part named 'file'; got '{context.Request.ContentType}'.",
                    statusCode: StatusCodes.Status415UnsupportedMediaType,
                    title: "Unsupported content type");
        }

        var outcome = await versions.AddAsync(name, new LimitedStream(body, limit, UploadTooLarge), "upload", policy.Value, ct);
        return Answer(outcome);
    }

    private static async Task<Results<Created<DatasetVersionResponse>, Ok<DatasetVersionResponse>, ProblemHttpResult, ValidationProblem>> GenerateAsync(
        string name, GenerateDatasetRequest request, DatasetVersions versions, IOptions<DatasetOptions> options, CancellationToken ct)
    {
        if (NameProblem(name) is { } nameProblem)
        {
            return nameProblem;
        }

        var errors = new Dictionary<string, string[]>();
        IDatasetGenerator? generator = null;
        if (request.Generator is null || !DatasetGenerators.TryGet(request.Generator, out generator))
        {
            errors["generator"] = [$"Choose one of: {string.Join(", ", DatasetGenerators.All.Select(g => g.Name))}."];
        }

        var maxRows = Math.Min(options.Value.MaxGeneratedRows, generator?.MaxRows ?? int.MaxValue);
        if (request.Rows is not { } rows || rows < 1 || rows > maxRows)
        {
            errors["rows"] = [$"rows must be between 1 and {maxRows}."];
        }

        if (request.Overlap is { } overlap && generator is not null)
        {
            if (generator.DefaultOverlap is null)
            {
                errors["overlap"] = [$"The '{generator.Name}' generator has no overlap setting; {string.Join(" and ", DatasetGenerators.All.Where(g => g.DefaultOverlap is not null).Select(g => g.Name))} take one."];
            }
            else if (overlap is < 0 or > 1 || double.IsNaN(overlap))
            {
                errors["overlap"] = [$"overlap is a share from 0 to 1, not {overlap}."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var seed = request.Seed ?? 0;
        var generation = new GeneratorRequest(
            request.Rows!.Value,
            seed,
            request.Drift?.ToDictionary(
                pair => pair.Key,
                pair => new DriftSpec(pair.Value.MeanShift ?? 0, pair.Value.Scale ?? 1, pair.Value.CategoryMix)),
            request.Overlap);

        // The generator writes into a pipe that the store reads: rows stream through, never a whole file in memory.
        // A generator that refuses the request (an unknown drift feature) fails the pipe, and with it the store's read.
        var pipe = new Pipe();
        var writing = Task.Run(
            async () =>
            {
                try
                {
                    await using (var output = pipe.Writer.AsStream(leaveOpen: true))
                    {
                        await generator!.WriteAsync(output, generation, ct);
                    }

                    await pipe.Writer.CompleteAsync();
                }
                catch (Exception exception)
                {
                    await pipe.Writer.CompleteAsync(exception);
                }
            },
            CancellationToken.None);
        AddOutcome outcome;
        try
        {
            await using var input = pipe.Reader.AsStream();
            outcome = await versions.AddAsync(name, input, $"generator:{generator!.Name}:seed={seed}", BadImagePolicy.Refuse, ct);
        }
        catch (ArgumentException exception)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["drift"] = [exception.Message] });
        }
        finally
        {
            await writing;
        }

        return Answer(outcome);
    }

    private static async Task<Results<Ok<Page<DatasetSummary>>, ValidationProblem>> ListDatasetsAsync(
        int? limit, string? cursor, DataDbContext db, CancellationToken ct)
    {
        var (page, errors) = Pages.Read(limit, cursor);
        if (page is null)
        {
            return TypedResults.ValidationProblem(errors!);
        }

        var query = db.Datasets.AsNoTracking().OrderBy(d => d.Name).AsQueryable();
        if (page.After is not null)
        {
            query = query.Where(d => d.Name.CompareTo(page.After) > 0);
        }

        var rows = await query
            .Take(page.Limit + 1)
            .Select(d => new
            {
                d.Name,
                d.CreatedAt,
                d.UpdatedAt,
                Latest = db.Versions.Where(v => v.Dataset == d.Name).Max(v => (int?)v.Version) ?? 0,
                Count = db.Versions.Count(v => v.Dataset == d.Name),
            })
            .ToListAsync(ct);
        var next = rows.Count > page.Limit ? Pages.EncodeCursor(rows[page.Limit - 1].Name) : null;
        return TypedResults.Ok(new Page<DatasetSummary>(
            rows.Take(page.Limit).Select(r => new DatasetSummary(r.Name, r.Latest, r.Count, r.CreatedAt, r.UpdatedAt)).ToArray(),
            next));
    }

    private static async Task<Results<Ok<Page<DatasetVersionResponse>>, ValidationProblem, ProblemHttpResult>> ListVersionsAsync(
        string name, int? limit, string? cursor, DataDbContext db, CancellationToken ct)
    {
        var (page, errors) = Pages.Read(limit, cursor);
        if (page is null || (page.After is not null && !int.TryParse(page.After, out _)))
        {
            return TypedResults.ValidationProblem(errors ?? new() { ["cursor"] = ["The cursor is not one this API handed out."] });
        }

        if (!await db.Datasets.AnyAsync(d => d.Name == name, ct))
        {
            return DatasetNotFound(name);
        }

        var after = page.After is null ? 0 : int.Parse(page.After, System.Globalization.CultureInfo.InvariantCulture);
        var rows = await db.Versions.AsNoTracking()
            .Where(v => v.Dataset == name && v.Version > after)
            .OrderBy(v => v.Version)
            .Take(page.Limit + 1)
            .ToListAsync(ct);
        var next = rows.Count > page.Limit
            ? Pages.EncodeCursor(rows[page.Limit - 1].Version.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : null;
        return TypedResults.Ok(new Page<DatasetVersionResponse>(rows.Take(page.Limit).Select(DatasetVersions.ToResponse).ToArray(), next));
    }

    private static async Task<Results<Ok<DatasetVersionDetail>, ProblemHttpResult>> GetVersionAsync(
        string name, string version, DatasetVersions versions, CancellationToken ct)
    {
        var (found, problem) = await FindAsync(name, version, versions, ct);
        return found is null ? problem! : TypedResults.Ok(new DatasetVersionDetail(DatasetVersions.ToResponse(found), DatasetVersions.ProfileOf(found)));
    }

    private static async Task<IResult> GetContentAsync(
        string name, string version, DatasetVersions versions, IArtifactStore store, CancellationToken ct)
    {
        var (found, problem) = await FindAsync(name, version, versions, ct);
        if (found is null)
        {
            return problem!;
        }

        var content = await store.OpenReadAsync(found.ArtifactKey, ct);
        var archive = found.Format == DatasetFormats.Zip;
        return Results.Stream(
            content,
            archive ? "application/zip" : "text/csv; charset=utf-8",
            fileDownloadName: $"{found.Dataset}-v{found.Version}.{found.Format}",
            entityTag: new EntityTagHeaderValue($"\"{found.Sha256}\""));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteVersionAsync(
        string name, int version, HttpContext context, DatasetVersions versions, RegistryClient registry, ILogger<DatasetVersions> logger, CancellationToken ct)
    {
        if (await versions.FindAsync(name, version, ct) is null)
        {
            return TypedResults.Problem($"Dataset '{name}' has no version {version}.", statusCode: StatusCodes.Status404NotFound, title: "Version not found");
        }

        DatasetUsage used;
        try
        {
            used = await registry.GetDatasetUsageAsync(name, version, ct);
        }
        catch (ServiceUnavailableException exception)
        {
            LogUsageUnknown(logger, exception, name, version);
            return TypedResults.Problem(
                $"The trainer could not say whether a model uses '{name}' version {version}, so it was not deleted; try again. {exception.Message}",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Usage unknown");
        }

        if (used.ModelVersions.Count > 0 || used.ActiveJobs.Count > 0)
        {
            var models = string.Join(", ", used.ModelVersions.Select(m => $"{m.Model} version {m.Version}"));
            var jobs = string.Join(", ", used.ActiveJobs);
            return TypedResults.Problem(
                $"'{name}' version {version} cannot be deleted: " +
                (models.Length > 0 ? $"registered models were trained on it ({models})" : "") +
                (models.Length > 0 && jobs.Length > 0 ? " and " : "") +
                (jobs.Length > 0 ? $"queued or running jobs will train on it ({jobs})" : "") + ".",
                statusCode: StatusCodes.Status409Conflict,
                title: "Version in use",
                extensions: new Dictionary<string, object?> { ["modelVersions"] = used.ModelVersions, ["activeJobs"] = used.ActiveJobs });
        }

        return await versions.DeleteAsync(name, version, context.User.CallerName(), ct)
            ? TypedResults.NoContent()
            : TypedResults.Problem($"Dataset '{name}' has no version {version}.", statusCode: StatusCodes.Status404NotFound, title: "Version not found");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not learn what uses dataset {Dataset} version {Version}; the delete was refused.")]
    private static partial void LogUsageUnknown(ILogger logger, Exception exception, string dataset, int version);

    private static async Task<(DatasetVersion? Version, ProblemHttpResult? Problem)> FindAsync(
        string name, string version, DatasetVersions versions, CancellationToken ct)
    {
        int? number = null;
        if (!string.Equals(version, "latest", StringComparison.Ordinal))
        {
            if (!int.TryParse(version, out var parsed) || parsed < 1)
            {
                return (null, TypedResults.Problem(
                    $"A version is a positive number or 'latest', not '{version}'.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid version"));
            }

            number = parsed;
        }

        var found = await versions.FindAsync(name, number, ct);
        return found is not null
            ? (found, null)
            : (null, TypedResults.Problem(
                number is null ? $"Dataset '{name}' has no versions." : $"Dataset '{name}' has no version {number}.",
                statusCode: StatusCodes.Status404NotFound,
                title: "Version not found"));
    }

    private static Results<Created<DatasetVersionResponse>, Ok<DatasetVersionResponse>, ProblemHttpResult, ValidationProblem> Answer(AddOutcome outcome)
    {
        if (outcome.Problem is not null)
        {
            return TypedResults.Problem(outcome.Problem, statusCode: StatusCodes.Status400BadRequest, title: outcome.ProblemTitle);
        }

        var response = DatasetVersions.ToResponse(outcome.Version!);
        return outcome.Created
            ? TypedResults.Created($"/api/datasets/{response.Name}/versions/{response.Version}", response)
            : TypedResults.Ok(response);
    }

    private static async Task<Stream?> FileSectionAsync(HttpRequest request, MediaTypeHeaderValue contentType, CancellationToken ct)
    {
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            return null;
        }

        var reader = new MultipartReader(boundary, request.Body);
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                && HeaderUtilities.RemoveQuotes(disposition.Name).Value == "file")
            {
                return section.Body;
            }
        }

        return null;
    }

    private static ProblemHttpResult? NameProblem(string name) =>
        Names.IsValidName(name)
            ? null
            : TypedResults.Problem(
                $"'{name}' is not a dataset name: use {Names.NameRule}.",
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid dataset name");

    private static BadHttpRequestException UploadTooLarge(long limit) =>
        new($"The upload is larger than the limit of {limit} bytes (Datasets:MaxUploadBytes).", StatusCodes.Status413PayloadTooLarge);

    private static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(
            $"The upload is larger than the limit of {limit} bytes (Datasets:MaxUploadBytes).",
            statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "Upload too large");

    private static ProblemHttpResult DatasetNotFound(string name) =>
        TypedResults.Problem($"No dataset is named '{name}'.", statusCode: StatusCodes.Status404NotFound, title: "Dataset not found");
}
