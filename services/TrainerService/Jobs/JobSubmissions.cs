using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MlOps.Clients;
using MlOps.Contracts;
using MlOps.Contracts.Datasets;
using MlOps.Contracts.Training;
using MlOps.Learning.Training;
using MlOps.ServiceConventions.Auth;
using MlOps.Learning.Algorithms;
using MlOps.TrainerService.Persistence;
using MlOps.TrainerService.Registry;

namespace MlOps.TrainerService.Jobs;

/// <summary>A submission's outcome: the queued job, or the errors to answer with (per field), or the data service's failure.</summary>
public sealed record SubmissionResult(TrainingJob? Job, Dictionary<string, string[]>? Errors, string? Unavailable);

/// <summary>
/// Validates a job request before anything is queued — names, the algorithm and its hyperparameters, the dataset
/// version (asked of the data service), the target among its columns, the task against the target's type — and
/// queues the job with every default filled in, so what runs is exactly what was accepted.
/// </summary>
public sealed class JobSubmissions(
    TrainerDbContext db, DatasetsClient data, AlgorithmCatalog algorithms, TimeProvider time, IOptions<TrainingOptions> options)
{
    public async Task<SubmissionResult> SubmitAsync(TrainingJobRequest request, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        RequireName(errors, "model", request.Model, required: true);
        RequireName(errors, "experiment", request.Experiment, required: false);
        RequireName(errors, "dataset", request.Dataset, required: true);
        if (request.Model is not null && RegistryNames.IsReserved(request.Model))
        {
            errors["model"] = [$"'{request.Model}' is reserved by the registry API; choose another model name."];
        }

        if (request.DatasetVersion is < 1)
        {
            errors["datasetVersion"] = ["datasetVersion must be 1 or more (leave it out for the newest version)."];
        }

        if (string.IsNullOrWhiteSpace(request.Target))
        {
            errors["target"] = ["target is required: the column to predict."];
        }

        LearningTask? task = null;
        if (request.Task is not null)
        {
            if (TaskNames.TryParse(request.Task, out var parsed))
            {
                task = parsed;
            }
            else
            {
                errors["task"] = [$"task must be one of: {TaskNames.Binary}, {TaskNames.Multiclass}, {TaskNames.Regression}."];
            }
        }

        var promote = request.Promote ?? PromotionPolicy.Never;
        if (!PromotionPolicy.All.Contains(promote, StringComparer.Ordinal))
        {
            errors["promote"] = [$"promote must be one of: {string.Join(", ", PromotionPolicy.All)}."];
        }

        ITrainingAlgorithm? algorithm = null;
        if (request.Algorithm is ExternalModelRegistration.OnnxAlgorithm or ExternalModelRegistration.MlNetAlgorithm)
        {
            // What a retraining of a registered version made elsewhere asks for: say why it cannot be, not just what can.
            errors["algorithm"] =
            [
                $"'{request.Algorithm}' versions are files made elsewhere and registered with POST /api/models/{{name}}/versions; the platform cannot train one. Register the new file, or choose one of: {string.Join(", ", algorithms.All.Select(a => a.Name))}.",
            ];
        }
        else if (request.Algorithm is null || !algorithms.TryGet(request.Algorithm, out algorithm))
        {
            errors["algorithm"] = [$"algorithm must be one of: {string.Join(", ", algorithms.All.Select(a => a.Name))}."];
        }

        IReadOnlyDictionary<string, string>? hyperparameters = null;
        if (algorithm is not null)
        {
            (hyperparameters, var hyperparameterErrors) = AlgorithmCatalog.Read(algorithm, request.Hyperparameters);
            foreach (var (key, value) in hyperparameterErrors)
            {
                errors[key] = value;
            }
        }

        if (errors.Count > 0)
        {
            return new SubmissionResult(null, errors, null);
        }

        DatasetVersionDetail? detail;
        try
        {
            detail = await data.GetVersionAsync(request.Dataset!, request.DatasetVersion, cancellationToken);
        }
        catch (ServiceUnavailableException exception)
        {
            return new SubmissionResult(null, null, exception.Message);
        }

        if (detail is null)
        {
            return Invalid(request.DatasetVersion is null ? "dataset" : "datasetVersion", request.DatasetVersion is null
                ? $"Dataset '{request.Dataset}' does not exist or has no versions."
                : $"Dataset '{request.Dataset}' has no version {request.DatasetVersion}.");
        }

        if (detail.Version.SizeBytes > options.Value.MaxDatasetBytes)
        {
            return Invalid("dataset", $"Version {detail.Version.Version} is {detail.Version.SizeBytes} bytes; training reads it into memory and takes at most {options.Value.MaxDatasetBytes} (Training:MaxDatasetBytes).");
        }

        var column = detail.Profile.Columns.FirstOrDefault(c => c.Name == request.Target);
        if (column is null)
        {
            return Invalid("target", $"'{request.Target}' is not a column of {request.Dataset} version {detail.Version.Version}. Its columns: {string.Join(", ", detail.Profile.Columns.Select(c => c.Name))}.");
        }

        if (detail.Profile.Columns.Count < 2)
        {
            return Invalid("dataset", "The dataset has no column besides the target to learn from.");
        }

        var (resolvedTask, taskReason, taskError) = ResolveTask(column, task, algorithm!);
        if (taskError is not null)
        {
            return Invalid("task", taskError);
        }

        if (!algorithm!.Tasks.Contains(resolvedTask))
        {
            return Invalid("algorithm", $"'{algorithm.Name}' handles {string.Join(" and ", algorithm.Tasks.Select(TaskNames.Of))}, not {TaskNames.Of(resolvedTask)}: {taskReason}");
        }

        var metrics = ModelMetrics.For(resolvedTask);
        var primary = request.PrimaryMetric ?? ModelMetrics.DefaultPrimary(resolvedTask);
        if (!metrics.Contains(primary, StringComparer.Ordinal))
        {
            return Invalid("primaryMetric", $"primaryMetric for {TaskNames.Of(resolvedTask)} must be one of: {string.Join(", ", metrics)}.");
        }

        var now = time.GetUtcNow();
        var job = new TrainingJob
        {
            Id = Guid.CreateVersion7(now),
            Status = JobStatus.Queued,
            Model = request.Model!,
            Experiment = request.Experiment ?? request.Model!,
            Dataset = detail.Version.Name,
            DatasetVersion = detail.Version.Version,
            DatasetSha256 = detail.Version.Sha256,
            Target = column.Name,
            Task = TaskNames.Of(resolvedTask),
            TaskReason = taskReason,
            Algorithm = algorithm.Name,
            HyperparametersJson = JsonSerializer.Serialize(hyperparameters),
            Promote = promote,
            PrimaryMetric = primary,
            MaxAttempts = options.Value.MaxAttempts,
            CreatedBy = user.CallerName(),
            CreatedAt = now,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        return new SubmissionResult(job, null, null);
    }

    /// <summary>
    /// The task asked for, checked against the target's profile; or, when none is, the task the target and the
    /// algorithm imply, as AutoML tools infer it: two distinct values are a binary task whatever their type (unless the
    /// algorithm only does regression); a few distinct whole numbers are classes when the algorithm only classifies; any
    /// other number is a regression; categories are classes. With the reason, in words, for the job's answer.
    /// </summary>
    private (LearningTask Task, string Reason, string? Error) ResolveTask(ColumnProfile target, LearningTask? requested, ITrainingAlgorithm algorithm)
    {
        var classes = target.Distinct;
        var numeric = target.Type == "numeric";
        if (target.Type == "text")
        {
            return (default, "", $"'{target.Name}' holds free text ({classes} distinct values); a target must be numeric, boolean or categorical.");
        }

        var (task, reason) = requested is { } given ? (given, "task was given in the request.") : Infer(target, algorithm);
        var error = task switch
        {
            LearningTask.Regression when !numeric => $"Regression needs a numeric target; '{target.Name}' is {target.Type}.",
            LearningTask.Regression => null,
            _ when classes < 2 => $"'{target.Name}' has {classes} distinct value(s); classification needs at least two classes.",
            LearningTask.BinaryClassification when classes != 2 =>
                $"Binary classification needs exactly two classes; '{target.Name}' has {classes}{(target.DistinctIsEstimate ? " (estimated)" : "")}. Use task 'multiclass'.",
            LearningTask.MulticlassClassification when classes == 2 => $"'{target.Name}' has two classes: use task 'binary'.",
            LearningTask.MulticlassClassification when classes > options.Value.MaxClasses || target.DistinctIsEstimate =>
                $"'{target.Name}' has about {classes} distinct values; classification takes at most {options.Value.MaxClasses} classes (Training:MaxClasses).",
            _ => null,
        };
        return (task, reason, error);
    }

    private (LearningTask Task, string Reason) Infer(ColumnProfile target, ITrainingAlgorithm algorithm)
    {
        var distinct = target.DistinctIsEstimate ? (long?)null : target.Distinct;
        var regresses = algorithm.Tasks.Contains(LearningTask.Regression);
        var classifies = algorithm.Tasks.Contains(LearningTask.BinaryClassification);
        switch (target.Type)
        {
            case "boolean":
                return (LearningTask.BinaryClassification, $"'{target.Name}' is boolean: a binary task.");
            case "categorical":
                return target.Distinct == 2
                    ? (LearningTask.BinaryClassification, $"'{target.Name}' is categorical with two classes: a binary task.")
                    : (LearningTask.MulticlassClassification, $"'{target.Name}' is categorical with {target.Distinct} classes: a multiclass task.");
        }

        if (distinct == 2 && classifies)
        {
            return (LearningTask.BinaryClassification,
                $"'{target.Name}' holds exactly two distinct values: a binary task (give task 'regression' to predict it as a number).");
        }

        var maxClasses = options.Value.MaxInferredClasses;
        if (distinct is > 2 && distinct <= maxClasses && target.Numeric?.WholeNumbers == true && classifies && !regresses)
        {
            return (LearningTask.MulticlassClassification,
                $"'{target.Name}' holds {distinct} distinct whole numbers (at most {maxClasses}, Training:MaxInferredClasses) and '{algorithm.Name}' only classifies: a multiclass task.");
        }

        if (distinct == 2)
        {
            return (LearningTask.Regression, $"'{target.Name}' holds two distinct values but '{algorithm.Name}' only does regression: a regression task.");
        }

        return (LearningTask.Regression, target.Numeric?.WholeNumbers == true && target.Distinct > maxClasses && classifies && !regresses
            ? $"'{target.Name}' holds {(target.DistinctIsEstimate ? "about " : "")}{target.Distinct} distinct whole numbers, more than {maxClasses} (Training:MaxInferredClasses) to take as classes: a regression task (give task 'multiclass' if they are classes)."
            : $"'{target.Name}' is numeric: a regression task (give task 'multiclass' if its values are classes).");
    }

    private static SubmissionResult Invalid(string field, string message) => new(null, new() { [field] = [message] }, null);

    private static void RequireName(Dictionary<string, string[]> errors, string field, string? value, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                errors[field] = [$"{field} is required."];
            }

            return;
        }

        if (!Names.IsValidName(value))
        {
            errors[field] = [$"'{value}' is not a valid {field} name: use {Names.NameRule}."];
        }
    }
}
