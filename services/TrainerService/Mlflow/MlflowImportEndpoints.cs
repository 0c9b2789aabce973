using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using MlOps.Contracts;
using MlOps.Contracts.Registry;
using MlOps.ServiceConventions.Auth;
using MlOps.TrainerService.Persistence;
using MlOps.TrainerService.Registry;

namespace MlOps.TrainerService.Mlflow;

/// <summary>
/// <c>POST /api/models/import/mlflow</c> (mlops.train): registers an MLflow model version whose files are one of our
/// model files. Answers 201 with the new version, or 200 with the version it became when imported before.
/// </summary>
public static class MlflowImportEndpoints
{
    public static void MapMlflowImport(this WebApplication app) =>
        app.MapPost("/api/models/import/mlflow", ImportAsync)
            .WithTags("Registry")
            .RequireAuthorization(Scopes.Train)
            .WithName("ImportMlflowVersion")
            .WithSummary("Register an MLflow model version (by mlflowVersion or mlflowAlias) whose files are one of our model files or an ONNX model (onnx flavor, read with onnx: {task, target, classes, outputs}), evaluated on its dataset");

    private static async Task<Results<Created<ModelVersionResponse>, Ok<ModelVersionResponse>, ValidationProblem, ProblemHttpResult>> ImportAsync(
        MlflowImportRequest request, HttpContext context, IServiceProvider services, TrainerDbContext db, CancellationToken ct)
    {
        if (Validate(request) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (services.GetService<MlflowImporter>() is not { } importer)
        {
            return TypedResults.Problem(
                "This trainer has no MLflow server to import from: set MLflow__TrackingUri.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "MLflow not configured");
        }

        var outcome = await importer.ImportAsync(
            new MlflowVersionReference(request.Model!, request.MlflowVersion, request.MlflowAlias), request.Dataset, request.DatasetVersion, request.Onnx, context.User.CallerName(), ct);
        if (outcome.Version is not { } version)
        {
            return TypedResults.Problem(outcome.Problem, statusCode: outcome.Status, title: outcome.Title);
        }

        var described = (await RegistryEndpoints.DescribeVersionAsync(db, request.Model!, version, ct))!;
        return outcome.Created
            ? TypedResults.Created($"/api/models/{Uri.EscapeDataString(request.Model!)}/versions/{version.ToString(CultureInfo.InvariantCulture)}", described)
            : TypedResults.Ok(described);
    }

    private static Dictionary<string, string[]> Validate(MlflowImportRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Model is null || !Names.IsValidName(request.Model) || RegistryNames.IsReserved(request.Model))
        {
            errors["model"] = [$"model is required: the registered model's name in MLflow and ours ({Names.NameRule}; not 'changes', 'by-dataset' or 'import')."];
        }

        if ((request.MlflowVersion is null) == (request.MlflowAlias is null))
        {
            errors["mlflowVersion"] = ["Give exactly one of mlflowVersion (a version number in MLflow) and mlflowAlias (an alias in MLflow)."];
        }
        else if (request.MlflowVersion is { } version && !(long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1))
        {
            errors["mlflowVersion"] = [$"'{version}' is not an MLflow version number (1 or more)."];
        }
        else if (request.MlflowAlias is { } alias && (alias.Length is 0 or > 255 || alias.Any(char.IsWhiteSpace)))
        {
            errors["mlflowAlias"] = ["mlflowAlias is an MLflow alias: 1 to 255 characters, no spaces."];
        }

        if (request.Dataset is { } dataset && !Names.IsValidName(dataset))
        {
            errors["dataset"] = [$"'{dataset}' is not a dataset name: {Names.NameRule}."];
        }

        if (request.DatasetVersion is { } datasetVersion && (request.Dataset is null || datasetVersion < 1))
        {
            errors["datasetVersion"] = [request.Dataset is null
                ? "datasetVersion goes with dataset: name the dataset too, or leave both out to use the one the MLflow run names."
                : "datasetVersion is a version number: 1 or more."];
        }

        return errors;
    }
}
