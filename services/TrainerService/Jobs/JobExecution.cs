using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using MlOps.Artifacts;
using MlOps.Clients;
using MlOps.Contracts.Datasets;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Training;
using MlOps.Images.Embedding;
using MlOps.Learning.Data;
using MlOps.Learning.Evaluation;
using MlOps.Learning.Models;
using MlOps.Learning.Training;
using MlOps.Onnx.Scoring;
using MlOps.Learning.Algorithms;
using MlOps.TrainerService.Datasets;
using MlOps.TrainerService.Persistence;
using MlOps.TrainerService.Registry;
using MlOps.TrainerService.Runs;

namespace MlOps.TrainerService.Jobs;

/// <summary>
/// Runs one attempt at a claimed job: reads the dataset version from the data service, splits it, trains while a
/// heartbeat renews the lease and stores progress, evaluates on the validation split, stores the artifacts, and
/// registers the version with the job's promotion policy. A cancel stops the learner at its next iteration; a
/// shutdown gives the job back to the queue; a worker that lost its lease writes nothing more.
/// </summary>
public sealed partial class JobExecution(
    TrainerDbContext db,
    JobLeases queue,
    DatasetsClient data,
    ImageEmbedder images,
    AlgorithmCatalog algorithms,
    IArtifactStore store,
    ModelRegistry registry,
    TrainingMetrics metrics,
    TimeProvider time,
    IOptions<TrainingOptions> options,
    ILogger<JobExecution> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan PersistFor = TimeSpan.FromMinutes(2);

    public async Task RunAsync(ClaimedJob claim, CancellationToken stopping)
    {
        var started = time.GetTimestamp();
        var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == claim.JobId, stopping);
        var progress = new JobProgressTracker(time);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(claim, progress, work, heartbeatStop.Token);
        LogStarted(claim.JobId, claim.Attempt, claim.Worker);
        string status;
        try
        {
            var candidate = await Task.Run(() => TrainAsync(job, claim, progress, work.Token), work.Token);
            progress.Phase("registering");
            await FlushAsync(claim, progress, work.Token);
            var registered = await PersistAsync(
                ct => registry.RegisterAsync(candidate.Version, (incumbent, token) => ScoreIncumbentAsync(incumbent, candidate, token), ct),
                work.Token);
            if (registered is { } done)
            {
                status = JobStatus.Succeeded;
                LogSucceeded(claim.JobId, job.Model, done.Version, done.Promotion.Promoted, done.Promotion.Reason);
            }
            else
            {
                status = "lost";
                LogLeaseLost(claim.JobId, claim.Attempt);
            }
        }
        catch (OperationCanceledException) when (progress.LeaseLost)
        {
            status = "lost";
            LogLeaseLost(claim.JobId, claim.Attempt);
        }
        catch (OperationCanceledException) when (progress.CancelRequested)
        {
            status = JobStatus.Canceled;
            await PersistAsync(ct => queue.CancelAsync(claim, ct), CancellationToken.None);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            status = "released";
            await ReleaseAsync(claim);
        }
        catch (Exception exception)
        {
            var permanent = IsPermanent(exception);
            status = JobStatus.Failed;
            LogFailed(exception, claim.JobId, claim.Attempt, permanent);
            var message = exception is ServiceUnavailableException or DatasetGoneException or DataException or ArgumentException or ModelFormatException
                ? exception.Message
                : $"{exception.GetType().Name}: {exception.Message}";
            await PersistAsync(ct => queue.FailAsync(claim, message, retry: !permanent, timingsJson: null, ct), stopping);
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
        }

        metrics.Ended(status, time.GetElapsedTime(started));
    }

    /// <summary>Gives the job back at shutdown; if the database cannot be reached, the lease expires and the queue recovers it.</summary>
    private async Task ReleaseAsync(ClaimedJob claim)
    {
        try
        {
            using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await queue.ReleaseAsync(claim, shutdown.Token);
        }
        catch (Exception exception)
        {
            LogReleaseFailed(exception, claim.JobId);
        }
    }

    /// <summary>Errors that another attempt would meet again: bad data, a deleted dataset, settings the learner refuses.</summary>
    private static bool IsPermanent(Exception exception) =>
        exception is DataException or DatasetGoneException or ArgumentException or ModelFormatException;

    private async Task<TrainedCandidate> TrainAsync(TrainingJob job, ClaimedJob claim, JobProgressTracker progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var detail = await data.GetVersionAsync(job.Dataset, job.DatasetVersion, cancellationToken)
            ?? throw new DatasetGoneException($"Dataset '{job.Dataset}' version {job.DatasetVersion} no longer exists.");
        var table = await data.ReadTableAsync(
            detail, images, (encoded, total) => progress.Phase($"encoding images ({encoded} of {total})"), cancellationToken);

        var loadSeconds = clock.Elapsed.TotalSeconds;
        progress.Phase("training");
        var task = TaskNames.TryParse(job.Task, out var parsed) ? parsed : throw new ArgumentException($"The job's task '{job.Task}' is unknown.");
        var settings = new HyperparameterValues(JsonSerializer.Deserialize<Dictionary<string, string>>(job.HyperparametersJson, Json)!);
        var seed = settings.WholeNumber(AlgorithmCatalog.Seed);
        var target = table[job.Target];
        var split = DataSplit.Split(
            table.RowCount,
            1 - AlgorithmCatalog.ValidationShare(settings),
            AlgorithmCatalog.ValidationShare(settings),
            seed,
            task == LearningTask.Regression ? default : RunOutputs.StratifyLabels(target));
        var training = table.Take(split.Train);
        var validation = table.Take(split.Validation);
        var metric = job.PrimaryMetric;
        var lastValidation = long.MinValue;
        var algorithm = algorithms.Get(job.Algorithm);
        var model = algorithm.Train(
            new TrainingInput(training, job.Target, task, settings, seed, job.DatasetSha256),
            iteration =>
            {
                progress.Iteration(iteration.Iteration, iteration.Objective);
                if (lastValidation == long.MinValue || time.GetElapsedTime(lastValidation) >= options.Value.ValidationInterval)
                {
                    progress.Validation(iteration.Iteration, metric, ModelEvaluator.Evaluate(iteration.Snapshot(), validation).Metrics[metric]);
                    lastValidation = time.GetTimestamp();
                }
            },
            cancellationToken);
        var trainSeconds = clock.Elapsed.TotalSeconds - loadSeconds;

        progress.Phase("evaluating");
        var evaluation = ModelEvaluator.Evaluate(model, validation);
        progress.Validation(model.Metadata.Iterations, metric, evaluation.Metrics[metric]);
        var predictions = model.Score(validation);
        var artifacts = new List<RunArtifact>();
        var modelFile = await StoreModelAsync(job.Model, model, cancellationToken);
        artifacts.Add(new RunArtifact(RunArtifactNames.Model, "application/json", modelFile.Size, modelFile.Sha256));
        artifacts.Add(await StoreRunArtifactAsync(claim.RunId, RunArtifactNames.FeatureImportance, RunOutputs.FeatureImportance(model), cancellationToken));
        artifacts.Add(task == LearningTask.Regression
            ? await StoreRunArtifactAsync(claim.RunId, RunArtifactNames.Residuals, RunOutputs.Residuals((NumericColumn)validation[job.Target], predictions), cancellationToken)
            : await StoreRunArtifactAsync(claim.RunId, RunArtifactNames.ConfusionMatrix, RunOutputs.ConfusionMatrix(model, validation[job.Target], predictions), cancellationToken));
        var reference = RunOutputs.Reference(job.Model, detail.Profile, table, model, predictions, seed, cancellationToken);
        var evaluateSeconds = clock.Elapsed.TotalSeconds - loadSeconds - trainSeconds;

        var version = ModelVersion.Of(job, claim.RunId, model, evaluation.Metrics, modelFile, reference);
        var timings = new RunTimings(loadSeconds, trainSeconds, evaluateSeconds, clock.Elapsed.TotalSeconds);
        return new TrainedCandidate(
            new CandidateVersion(
                job,
                claim,
                version,
                JsonSerializer.Serialize(evaluation.Metrics, Json),
                JsonSerializer.Serialize(artifacts, Json),
                JsonSerializer.Serialize(timings, Json)),
            validation);
    }

    /// <summary>The production version's primary metric on the candidate's validation split (the same rows the candidate was scored on).</summary>
    private async Task<IncumbentScore> ScoreIncumbentAsync(ModelVersion incumbent, TrainedCandidate candidate, CancellationToken cancellationToken)
    {
        try
        {
            using var buffer = new MemoryStream();
            await using (var file = await store.OpenReadAsync(incumbent.ArtifactKey, cancellationToken))
            {
                await file.CopyToAsync(buffer, cancellationToken);
            }

            var descriptor = incumbent.DescriptorJson is { } json ? JsonSerializer.Deserialize<ModelDescriptor>(json, Json) : null;
            var model = ScoringModelFile.Load(incumbent.Format, buffer.ToArray(), descriptor);
            using var native = model as IDisposable;
            var metric = candidate.Version.Version.PrimaryMetric;
            if (model.Target != candidate.Version.Version.Target)
            {
                return new IncumbentScore(null, $"it predicts '{model.Target}', not '{candidate.Version.Version.Target}'");
            }

            var evaluation = await Task.Run(() => ModelEvaluator.Evaluate(model, candidate.Validation), cancellationToken);
            return evaluation.Metrics.TryGetValue(metric, out var value)
                ? new IncumbentScore(value, null)
                : new IncumbentScore(null, $"its task has no metric '{metric}'");
        }
        catch (Exception exception) when (exception is DataException or ModelFormatException or ArtifactNotFoundException or KeyNotFoundException or ArgumentException or OnnxRuntimeException)
        {
            return new IncumbentScore(null, exception.Message);
        }
    }

    private async Task<ArtifactInfo> StoreModelAsync(string modelName, Model model, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        ModelFile.Save(model, buffer);
        buffer.Position = 0;
        return await store.PutContentAddressedAsync($"models/{modelName}", buffer, cancellationToken);
    }

    private async Task<RunArtifact> StoreRunArtifactAsync<T>(Guid runId, string name, T content, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(content, Json));
        var stored = await store.PutAsync(RunArtifactNames.KeyOf(runId, name), buffer, cancellationToken);
        return new RunArtifact(name, "application/json", stored.Size, stored.Sha256);
    }

    /// <summary>Renews the lease and stores progress until stopped; flags and cancels the work when the job was lost or a cancel asked for.</summary>
    private async Task HeartbeatAsync(ClaimedJob claim, JobProgressTracker progress, CancellationTokenSource work, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (!await RenewAsync(claim, progress, stop))
                {
                    continue;
                }

                if (progress.LeaseLost || progress.CancelRequested)
                {
                    await work.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stores what progress has not been stored yet, before the attempt ends.</summary>
    private async Task FlushAsync(ClaimedJob claim, JobProgressTracker progress, CancellationToken cancellationToken)
    {
        await RenewAsync(claim, progress, cancellationToken);
        if (progress.LeaseLost || progress.CancelRequested)
        {
            throw new OperationCanceledException("The attempt was lost or canceled.", cancellationToken);
        }
    }

    /// <summary>One renewal; false when the database could not be reached (what was not stored is kept for the next one).</summary>
    private async Task<bool> RenewAsync(ClaimedJob claim, JobProgressTracker progress, CancellationToken cancellationToken)
    {
        var (progressJson, samples) = progress.Take();
        try
        {
            var lease = await queue.RenewAsync(claim, progressJson, samples, cancellationToken);
            progress.LeaseLost = !lease.Held;
            progress.CancelRequested = lease.CancelRequested;
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            progress.Restore(progressJson, samples);
            LogRenewalFailed(exception, claim.JobId);
            return false;
        }
    }

    /// <summary>
    /// Retries a write through a database outage (a PostgreSQL restart), for up to two minutes: the work it records is
    /// done, and losing it would send the job round again.
    /// </summary>
    private async Task<T> PersistAsync<T>(Func<CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp();
        for (var delay = TimeSpan.FromMilliseconds(250); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks)))
        {
            try
            {
                return await write(cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException && time.GetElapsedTime(deadline) < PersistFor && IsDatabaseOutage(exception))
            {
                LogPersistRetry(exception, delay);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    private static bool IsDatabaseOutage(Exception exception) =>
        exception is Npgsql.NpgsqlException or DbUpdateException or InvalidOperationException { InnerException: Npgsql.NpgsqlException }
        || exception.GetType().Name == "RetryLimitExceededException";

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt} started on worker {Worker}.")]
    private partial void LogStarted(Guid jobId, int attempt, string worker);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} registered {Model} version {Version}; promoted: {Promoted} ({Reason})")]
    private partial void LogSucceeded(Guid jobId, string model, int version, bool promoted, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt} lost its lease; another worker owns the job now.")]
    private partial void LogLeaseLost(Guid jobId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt} failed (permanent: {Permanent}).")]
    private partial void LogFailed(Exception exception, Guid jobId, int attempt, bool permanent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the lease of job {JobId} failed; the next heartbeat tries again.")]
    private partial void LogRenewalFailed(Exception exception, Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} could not be released at shutdown; its lease will expire and the queue will recover it.")]
    private partial void LogReleaseFailed(Exception exception, Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database is unavailable; retrying a job update in {Delay}.")]
    private partial void LogPersistRetry(Exception exception, TimeSpan delay);
}

/// <summary>A trained, evaluated candidate and the validation rows the incumbent is scored on.</summary>
public sealed record TrainedCandidate(CandidateVersion Version, DataTable Validation);

/// <summary>The names and keys of a run's artifacts.</summary>
public static class RunArtifactNames
{
    public const string Model = "model.json";
    public const string FeatureImportance = "feature-importance.json";
    public const string ConfusionMatrix = "confusion-matrix.json";
    public const string Residuals = "residuals.json";

    public static string KeyOf(Guid runId, string name) => $"runs/{runId:N}/{name}";
}
