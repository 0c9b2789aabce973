using System.Text.Json;
using MlOps.Contracts.Datasets;
using MlOps.Contracts.Training;
using MlOps.Learning.Models;
using MlOps.Learning.Training;
using MlOps.TrainerService.Jobs;
using MlOps.TrainerService.Runs;

namespace MlOps.TrainerService.Registry;

/// <summary>
/// The succeeded job and run that record a version made elsewhere (an MLflow import, an uploaded ONNX file), so lineage
/// and the run pages work as for a version trained here: evaluated on <c>dataset</c>, scored by its task's default
/// primary metric, never promoted by the job itself.
/// </summary>
public static class RecordedRuns
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static (TrainingJob Job, Run Run) Succeeded(
        string model,
        DatasetVersionResponse dataset,
        IScoringModel scorer,
        string algorithm,
        string hyperparametersJson,
        string worker,
        string actor,
        IReadOnlyDictionary<string, double> metrics,
        RunTimings timings,
        RunArtifact modelFile,
        DateTimeOffset now)
    {
        var task = TaskNames.Of(scorer.Task);
        var job = new TrainingJob
        {
            Id = Guid.CreateVersion7(now),
            Status = JobStatus.Succeeded,
            Model = model,
            Experiment = model,
            Dataset = dataset.Name,
            DatasetVersion = dataset.Version,
            DatasetSha256 = dataset.Sha256,
            Target = scorer.Target,
            Task = task,
            TaskReason = "the model was made elsewhere: the task is the one it was made for.",
            Algorithm = algorithm,
            HyperparametersJson = hyperparametersJson,
            Promote = PromotionPolicy.Never,
            PrimaryMetric = ModelMetrics.DefaultPrimary(scorer.Task),
            Attempts = 1,
            MaxAttempts = 1,
            CreatedBy = actor,
            CreatedAt = now,
            StartedAt = now,
            FinishedAt = now,
        };
        var run = new Run
        {
            Id = Guid.CreateVersion7(now),
            Experiment = job.Experiment,
            JobId = job.Id,
            Attempt = 1,
            Status = RunStatus.Succeeded,
            Worker = worker,
            Algorithm = algorithm,
            Task = task,
            Target = scorer.Target,
            ParametersJson = hyperparametersJson,
            Dataset = job.Dataset,
            DatasetVersion = job.DatasetVersion,
            DatasetSha256 = job.DatasetSha256,
            MetricsJson = JsonSerializer.Serialize(metrics, Json),
            TimingsJson = JsonSerializer.Serialize(timings, Json),
            ArtifactsJson = JsonSerializer.Serialize(new[] { modelFile }, Json),
            StartedAt = now,
            FinishedAt = now,
        };
        return (job, run);
    }
}
