using System.Globalization;
using System.Text.Json;
using MlOps.Clients;
using MlOps.Contracts.Training;
using MlOps.MonitoringService.Upstream;

namespace MlOps.MonitoringService.Retraining;

/// <summary>
/// Asks the trainer to train a model version again the way it was trained (its job's target, task, algorithm,
/// hyperparameters, experiment and primary metric) on the newest version of its dataset, promoted only if better.
/// </summary>
public sealed class Retrainer(RegistryClient registry, ModelVersionCache versions, TrainingJobsClient trainer)
{
    public const string Promote = "if-better";

    /// <summary>The queued job.</summary>
    /// <exception cref="ServiceUnavailableException">The registry or the trainer could not be reached, or the trainer refused.</exception>
    public async Task<TrainingJobResponse> RetrainAsync(string model, int version, CancellationToken cancellationToken)
    {
        var described = await versions.GetAsync(registry, model, version, cancellationToken)
            ?? throw new ServiceUnavailableException($"The registry no longer has {model} version {version}.");
        var job = await trainer.GetJobAsync(described.Lineage.JobId, cancellationToken)
            ?? throw new ServiceUnavailableException($"The trainer no longer has job {described.Lineage.JobId}, which trained {model} version {version}.");
        var request = new TrainingJobRequest(
            Dataset: job.Dataset,
            DatasetVersion: null,
            Target: job.Target,
            Task: job.Task,
            Algorithm: job.Algorithm,
            Hyperparameters: job.Hyperparameters.ToDictionary(pair => pair.Key, pair => AsJson(pair.Value)),
            Model: model,
            Experiment: job.Experiment,
            Promote: Promote,
            PrimaryMetric: job.PrimaryMetric);
        return await trainer.SubmitAsync(request, cancellationToken);
    }

    /// <summary>A job's hyperparameter, stored as text, as the JSON value a request gives: a number, a boolean or a choice.</summary>
    private static JsonElement AsJson(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? JsonSerializer.SerializeToElement(number)
            : value is "true" or "false"
                ? JsonSerializer.SerializeToElement(value == "true")
                : JsonSerializer.SerializeToElement(value);
}
