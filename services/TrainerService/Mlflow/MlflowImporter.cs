using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MlOps.Artifacts;
using MlOps.Clients;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Training;
using MlOps.Onnx.Scoring;
using MlOps.Learning.Data;
using MlOps.Learning.Evaluation;
using MlOps.Learning.Models;
using MlOps.Learning.Training;
using MlOps.Mlflow;
using MlOps.Onnx.Reading;
using MlOps.Learning.Algorithms;
using MlOps.TrainerService.Datasets;
using MlOps.TrainerService.Jobs;
using MlOps.TrainerService.Registry;
using MlOps.TrainerService.Runs;
using MlOps.Images.Embedding;

namespace MlOps.TrainerService.Mlflow;

/// <summary>Which MLflow version to import: by number or by alias, from the registered model of the same name as ours.</summary>
public sealed record MlflowVersionReference(string Model, string? Version, string? Alias)
{
    public override string ToString() => Version is not null ? $"version {Version} of '{Model}'" : $"the version alias '{Alias}' of '{Model}' points at";
}

/// <summary>What an import did: the version in our registry (new, or imported before), or why it could not.</summary>
public sealed record MlflowImportOutcome(int? Version, bool Created, string? MlflowVersion, int Status, string? Title, string? Problem)
{
    public static MlflowImportOutcome Imported(int version, bool created, string mlflowVersion) => new(version, created, mlflowVersion, created ? 201 : 200, null, null);

    public static MlflowImportOutcome Refused(int status, string title, string problem) => new(null, false, null, status, title, problem);
}

/// <summary>
/// Brings an MLflow model version whose files are one of our model files, or an MLflow model with the <c>onnx</c> flavor
/// (registered as an uploaded ONNX file is: <see cref="ExternalModelRegistration"/>), into our registry. The file is found from the
/// version's source (<c>runs:/&lt;run&gt;/&lt;path&gt;</c> through the run's artifact location, or an
/// <c>mlflow-artifacts:</c> URI) and downloaded through MLflow's artifact proxy, at most
/// <see cref="MlflowOptions.MaxImportBytes"/>. The version is evaluated here, never taken on trust: on the dataset
/// version its MLflow run names (tags the mirror writes) or the one the caller names, on the same validation rows as
/// training when that is the dataset it was trained on (same SHA-256, seed and validation share), else on every row;
/// the reference profile for drift comes from the same rows. The version is recorded with a succeeded job and run
/// (algorithm and hyperparameters from the run, else the model file), so retraining and lineage work as for one
/// trained here. Importing the same MLflow version again answers the version it became.
/// </summary>
public sealed class MlflowImporter(
    MlflowClient mlflow,
    DatasetsClient data,
    ImageEmbedder images,
    AlgorithmCatalog algorithms,
    IArtifactStore store,
    ModelRegistry registry,
    ExternalModelRegistration registration,
    IOptions<MlflowOptions> options,
    IOptions<TrainingOptions> training,
    TimeProvider time)
{
    /// <summary>Where our mirror puts a version's model file inside its artifact folder.</summary>
    public const string ModelFileName = "model.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<MlflowImportOutcome> ImportAsync(
        MlflowVersionReference reference, string? dataset, int? datasetVersion, ModelDescriptor? onnx, string actor, CancellationToken cancellationToken)
    {
        try
        {
            return await ImportOrRefuseAsync(reference, dataset, datasetVersion, onnx, actor, cancellationToken);
        }
        catch (Exception exception) when (MlflowException.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
        {
            return MlflowImportOutcome.Refused(503, "MLflow unavailable", $"MLflow could not be reached or answered an error of its own: {exception.Message}");
        }
        catch (MlflowException exception)
        {
            // An answer this import does not expect (a proxy's 403, a refused parameter): MLflow's words, as an upstream error.
            return MlflowImportOutcome.Refused(502, "MLflow refused the request", $"MLflow answered {exception.StatusCode} {exception.ErrorCode}: {exception.MlflowMessage}");
        }
        catch (ServiceUnavailableException exception)
        {
            return MlflowImportOutcome.Refused(503, "Data service unavailable", exception.Message);
        }
    }

    private async Task<MlflowImportOutcome> ImportOrRefuseAsync(
        MlflowVersionReference reference, string? datasetName, int? datasetVersion, ModelDescriptor? onnx, string actor, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var version = await FindVersionAsync(reference, cancellationToken);
        if (version is null)
        {
            return MlflowImportOutcome.Refused(404, "MLflow version not found", $"MLflow has no {reference}.");
        }

        if (version.Status != "READY")
        {
            return MlflowImportOutcome.Refused(409, "MLflow version not ready",
                $"Version {version.Version} of '{version.Name}' is {version.Status} in MLflow, not READY; import it once MLflow has registered it.");
        }

        if (await registry.ImportedAsAsync(reference.Model, version.Version, cancellationToken) is { } existing)
        {
            return MlflowImportOutcome.Imported(existing, false, version.Version);
        }

        var run = version.RunId is { Length: > 0 } runId ? await mlflow.GetRunAsync(runId, cancellationToken) : null;
        var (folder, pathProblem) = ModelFolder(version, run);
        if (folder is null)
        {
            return Unprocessable(pathProblem!);
        }

        if (await DownloadOrNullAsync($"{folder}/MLmodel", MlmodelFile.MaxBytes, cancellationToken) is { } mlmodel)
        {
            MlmodelFile described;
            try
            {
                described = MlmodelFile.Parse(mlmodel);
            }
            catch (FormatException exception)
            {
                return Unprocessable($"'{folder}/MLmodel': {exception.Message}");
            }

            if (described.OnnxData is { } data)
            {
                return await ImportOnnxAsync(reference, version, run, $"{folder}/{data}", described, onnx, datasetName, datasetVersion, actor, cancellationToken);
            }
        }

        var path = $"{folder}/{ModelFileName}";
        var (file, fileProblem) = await DownloadModelAsync(
            path,
            $"MLflow has no file '{path}': only versions whose files are one of our model files ({ModelFileName}) or an MLflow model with the onnx flavor can be imported.",
            cancellationToken);
        if (file is null)
        {
            return Unprocessable(fileProblem!);
        }

        Model model;
        try
        {
            model = ScoringModelFile.LoadModel(new MemoryStream(file, writable: false));
        }
        catch (Exception exception) when (exception is ModelFormatException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return Unprocessable($"'{path}' is not one of our model files: {exception.Message}");
        }

        if (datasetName is null)
        {
            (datasetName, datasetVersion) = TaggedDataset(run);
            if (datasetName is null)
            {
                return Unprocessable(NoDataset(version));
            }
        }

        var (algorithm, hyperparameters, configurationProblem) = Configuration(model, run);
        if (algorithm is null)
        {
            return Unprocessable(configurationProblem!);
        }

        var read = await EvaluationData.ReadAsync(data, images, datasetName, datasetVersion, training.Value.MaxDatasetBytes, cancellationToken);
        if (read is not { Detail: { } detail, Table: { } table })
        {
            return Unprocessable(read.Problem!);
        }

        var loadSeconds = clock.Elapsed.TotalSeconds;
        Assessment assessment;
        try
        {
            assessment = await Task.Run(() => Assess(model, table, detail.Version.Sha256, hyperparameters, cancellationToken), cancellationToken);
        }
        catch (Exception exception) when (exception is DataException or KeyNotFoundException or ArgumentException or FormatException)
        {
            return Unprocessable($"The model cannot be evaluated on '{datasetName}' version {detail.Version.Version}: {exception.Message}");
        }

        var profile = RunOutputs.Reference(reference.Model, detail.Profile, table, model, assessment.Predictions, assessment.Seed, cancellationToken);
        var stored = await store.PutContentAddressedAsync($"models/{reference.Model}", new MemoryStream(file, writable: false), cancellationToken);
        var (job, ourRun) = RecordedRuns.Succeeded(
            reference.Model,
            detail.Version,
            model,
            algorithm,
            JsonSerializer.Serialize(hyperparameters),
            $"mlflow import of {version.Name} version {version.Version}",
            actor,
            assessment.Metrics,
            new RunTimings(loadSeconds, 0, clock.Elapsed.TotalSeconds - loadSeconds, clock.Elapsed.TotalSeconds),
            new RunArtifact(RunArtifactNames.Model, "application/json", stored.Size, stored.Sha256),
            time.GetUtcNow());
        var registered = ModelVersion.Of(job, ourRun.Id, model, assessment.Metrics, stored, profile);
        var (ours, created) = await registry.RegisterRecordedAsync(
            new RecordedVersion(job, ourRun, registered, new MlflowOrigin(version.Version, run?.Info.RunId)), cancellationToken);
        return MlflowImportOutcome.Imported(ours, created, version.Version);
    }

    private async Task<MlflowModelVersion?> FindVersionAsync(MlflowVersionReference reference, CancellationToken cancellationToken)
    {
        if (reference.Version is null)
        {
            return await mlflow.GetModelVersionByAliasAsync(reference.Model, reference.Alias!, cancellationToken);
        }

        try
        {
            return await mlflow.GetModelVersionAsync(reference.Model, reference.Version, cancellationToken);
        }
        catch (MlflowException exception) when (exception.ErrorCode == MlflowException.ResourceDoesNotExist)
        {
            return null;
        }
    }

    /// <summary>
    /// A version with the onnx flavor: the graph in <paramref name="path"/>, read through the caller's descriptor (task,
    /// target, classes, outputs) with the inputs of the MLmodel signature unless the descriptor names them; a signature
    /// whose columns all feed the graph's one input is read as a feature tensor, as MLflow's own pyfunc feeds it.
    /// Registered as an uploaded ONNX file is, mapped to its MLflow version.
    /// </summary>
    private async Task<MlflowImportOutcome> ImportOnnxAsync(
        MlflowVersionReference reference,
        MlflowModelVersion version,
        MlflowRun? run,
        string path,
        MlmodelFile described,
        ModelDescriptor? onnx,
        string? datasetName,
        int? datasetVersion,
        string actor,
        CancellationToken cancellationToken)
    {
        if (onnx is null)
        {
            return Unprocessable(
                $"Version {version.Version} is an ONNX model (MLmodel's onnx flavor): give \"onnx\": {{task, target, classes, outputs}}, which MLmodel does not hold, to read it (docs/onnx.md).");
        }

        var inputs = onnx.Inputs ?? described.SignatureInputs;
        if (inputs is null)
        {
            return Unprocessable($"{described.SignatureProblem} Or name the inputs in onnx.inputs.");
        }

        if (datasetName is null)
        {
            (datasetName, datasetVersion) = TaggedDataset(run);
            if (datasetName is null)
            {
                return Unprocessable(NoDataset(version));
            }
        }

        var (file, fileProblem) = await DownloadModelAsync(path, $"MLflow has no file '{path}', which MLmodel's onnx flavor names.", cancellationToken);
        if (file is null)
        {
            return Unprocessable(fileProblem!);
        }

        var featureTensor = onnx.FeatureTensor;
        if (onnx.Inputs is null && featureTensor is null && OnnxGraphInputs.Of(file) is [var only] && (inputs.Count > 1 || inputs[0].Name != only))
        {
            featureTensor = only;
        }

        var descriptor = onnx with { Inputs = [.. inputs], FeatureTensor = featureTensor, EvaluateOn = new DatasetVersionSelector(datasetName, datasetVersion) };
        var outcome = await registration.RegisterAsync(reference.Model, file, descriptor, actor, new MlflowOrigin(version.Version, run?.Info.RunId), cancellationToken);
        if (outcome.Version is { } ours)
        {
            return MlflowImportOutcome.Imported(ours, outcome.Created, version.Version);
        }

        return MlflowImportOutcome.Refused(
            outcome.Status,
            "Cannot import the MLflow version",
            outcome.Problem ?? string.Join(" ", outcome.Errors!.Select(error => $"{error.Key}: {string.Join(" ", error.Value)}")));
    }

    /// <summary>The dataset version the MLflow run says it was trained on (tags our mirror writes), if it says.</summary>
    private static (string? Name, int? Version) TaggedDataset(MlflowRun? run)
    {
        var tags = run?.Tags ?? new Dictionary<string, string>();
        var name = tags.GetValueOrDefault("mlops.dataset");
        int? version = tags.TryGetValue("mlops.dataset.version", out var tagged) && int.TryParse(tagged, CultureInfo.InvariantCulture, out var number) ? number : null;
        return name is null || version is null ? (null, null) : (name, version);
    }

    private static string NoDataset(MlflowModelVersion version) =>
        $"The MLflow run of version {version.Version} does not say which dataset version it was trained on (tags mlops.dataset and mlops.dataset.version); name one (dataset, datasetVersion) to evaluate it on.";

    /// <summary>The model file, or why not: larger than MLflow:MaxImportBytes, or not there (<paramref name="missing"/>).</summary>
    private async Task<(byte[]? File, string? Problem)> DownloadModelAsync(string path, string missing, CancellationToken cancellationToken)
    {
        try
        {
            return (await mlflow.DownloadArtifactAsync(path, options.Value.MaxImportBytes, cancellationToken), null);
        }
        catch (MlflowException exception) when (exception.ErrorCode == MlflowException.ArtifactTooLarge)
        {
            return (null, $"{exception.MlflowMessage} The limit is MLflow:MaxImportBytes.");
        }
        catch (MlflowException exception) when (exception.StatusCode == 404)
        {
            return (null, missing);
        }
    }

    /// <summary>A file below the artifact proxy, or null when MLflow has none there.</summary>
    private async Task<byte[]?> DownloadOrNullAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            return await mlflow.DownloadArtifactAsync(path, maxBytes, cancellationToken);
        }
        catch (MlflowException exception) when (exception.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>The version's model folder below the artifact proxy, or why the version's files cannot be reached through it.</summary>
    private static (string? Folder, string? Problem) ModelFolder(MlflowModelVersion version, MlflowRun? run)
    {
        var source = version.Source ?? string.Empty;
        string? folder;
        if (source.StartsWith("runs:/", StringComparison.Ordinal))
        {
            var rest = source["runs:/".Length..];
            var slash = rest.IndexOf('/');
            var relative = slash < 0 ? string.Empty : rest[(slash + 1)..].Trim('/');
            if (run is null || run.Info.RunId != (slash < 0 ? rest : rest[..slash]))
            {
                return (null, $"The source '{source}' names a run MLflow does not have, or not the version's run.");
            }

            var root = run.Info.ArtifactUri is { } uri ? MlflowClient.ProxyPath(uri) : null;
            if (root is null)
            {
                return (null,
                    $"The run's artifacts are at '{run.Info.ArtifactUri}', which MLflow's artifact proxy does not serve; start MLflow with --serve-artifacts (mlflow-artifacts: locations).");
            }

            folder = relative.Length == 0 ? root : $"{root}/{relative}";
        }
        else
        {
            folder = MlflowClient.ProxyPath(source);
            if (folder is null)
            {
                return (null,
                    $"The version's source '{source}' is neither runs:/ nor an mlflow-artifacts: location, so it cannot be read through MLflow's artifact proxy.");
            }
        }

        return (folder, null);
    }
    /// <summary>
    /// The algorithm and hyperparameters the version records: those of the MLflow run our mirror logged (tag
    /// mlops.algorithm, params), else the model file's algorithm with its defaults and the file's seed.
    /// </summary>
    private (string? Algorithm, SortedDictionary<string, string> Hyperparameters, string? Problem) Configuration(Model model, MlflowRun? run)
    {
        var name = run?.Tags.GetValueOrDefault("mlops.algorithm") ?? model.Algorithm;
        if (!algorithms.TryGet(name, out var algorithm))
        {
            return (null, [], $"The model's algorithm '{name}' is not one this trainer has ({string.Join(", ", algorithms.All.Select(a => a.Name))}).");
        }

        var values = new SortedDictionary<string, string>(AlgorithmCatalog.Read(algorithm, null).Values.ToDictionary(), StringComparer.Ordinal);
        if (run?.Tags.ContainsKey("mlops.algorithm") == true)
        {
            foreach (var (key, value) in run.Params)
            {
                if (values.ContainsKey(key))
                {
                    values[key] = value;
                }
            }
        }
        else
        {
            values[AlgorithmCatalog.Seed] = model.Metadata.Seed.ToString(CultureInfo.InvariantCulture);
        }

        return (algorithm.Name, values, null);
    }

    /// <summary>
    /// Metrics and predictions on the training run's validation rows when <paramref name="table"/> is the data the
    /// model was trained on (its SHA-256, split again with the run's seed and share), else on every row.
    /// </summary>
    private static Assessment Assess(Model model, DataTable table, string sha256, IReadOnlyDictionary<string, string> hyperparameters, CancellationToken cancellationToken)
    {
        var settings = new HyperparameterValues(hyperparameters);
        var seed = settings.WholeNumber(AlgorithmCatalog.Seed);
        var rows = table;
        if (model.Metadata.DataSha256 == sha256)
        {
            var share = AlgorithmCatalog.ValidationShare(settings);
            var split = DataSplit.Split(
                table.RowCount, 1 - share, share, seed, model.Task == LearningTask.Regression ? default : RunOutputs.StratifyLabels(table[model.Target]));
            rows = table.Take(split.Validation);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var evaluation = ModelEvaluator.Evaluate(model, rows);
        return new Assessment(evaluation.Metrics, model.Score(rows), seed);
    }

    private static MlflowImportOutcome Unprocessable(string problem) => MlflowImportOutcome.Refused(422, "Cannot import the MLflow version", problem);

    private sealed record Assessment(IReadOnlyDictionary<string, double> Metrics, Prediction[] Predictions, int Seed);
}
