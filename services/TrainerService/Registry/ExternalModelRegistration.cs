using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using MlOps.Artifacts;
using MlOps.Clients;
using MlOps.Contracts;
using MlOps.Contracts.Registry;
using MlOps.Contracts.Training;
using MlOps.Learning.Data;
using MlOps.Learning.Evaluation;
using MlOps.Learning.MlNet;
using MlOps.Learning.Models;
using MlOps.Learning.Training;
using MlOps.Onnx.Scoring;
using MlOps.TrainerService.Datasets;
using MlOps.TrainerService.Jobs;
using MlOps.TrainerService.Runs;
using MlOps.Images.Embedding;

namespace MlOps.TrainerService.Registry;

/// <summary>
/// Registers a model made elsewhere: an ONNX graph, or an ML.NET model (a <c>.zip</c>, told apart by its first bytes).
/// An ONNX file is loaded in ONNX Runtime and its descriptor checked against the graph; an ML.NET file is loaded in
/// ML.NET and its input schema mapped to named inputs (<see cref="MlNetScorer"/>). The model is then evaluated here,
/// never taken on trust: every row of the dataset version the descriptor names is scored, its metrics are the
/// version's, and the reference profile for drift comes from the same rows. The version is recorded with a succeeded
/// job and run (algorithm <see cref="OnnxAlgorithm"/> or <see cref="MlNetAlgorithm"/>), so lineage and the run pages
/// work as for a trained one. The same file with the same descriptor registered again answers the version it became.
/// </summary>
public sealed class ExternalModelRegistration(
    DatasetsClient data,
    ImageEmbedder images,
    IArtifactStore store,
    ModelRegistry registry,
    IOptions<TrainingOptions> training,
    TimeProvider time)
{
    /// <summary>The algorithm an ONNX version's job and run record: it was trained elsewhere, and is not retrained here.</summary>
    public const string OnnxAlgorithm = "onnx";

    /// <summary>The algorithm an ML.NET version made elsewhere records.</summary>
    public const string MlNetAlgorithm = "mlnet";

    /// <summary>Seeds the reference profile's samples, so registering the same file on the same data gives the same profile.</summary>
    private const int SampleSeed = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Registers the file as the model's next version; <paramref name="mlflow"/> names the MLflow version it was imported from, if it was.</summary>
    public async Task<ModelUploadOutcome> RegisterAsync(
        string model, byte[] file, ModelDescriptor descriptor, string actor, MlflowOrigin? mlflow, CancellationToken cancellationToken)
    {
        try
        {
            return await RegisterOrRefuseAsync(model, file, descriptor, actor, mlflow, cancellationToken);
        }
        catch (ServiceUnavailableException exception)
        {
            return ModelUploadOutcome.Refused(503, "Data service unavailable", exception.Message);
        }
    }

    private async Task<ModelUploadOutcome> RegisterOrRefuseAsync(
        string model, byte[] file, ModelDescriptor descriptor, string actor, MlflowOrigin? mlflow, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (descriptor.EvaluateOn is not { Dataset: { } dataset } evaluateOn || !Names.IsValidName(dataset) || evaluateOn.Version is < 1)
        {
            errors["evaluateOn"] =
            [
                $"Name the dataset version to evaluate the model on ({{\"dataset\": …, \"version\": …}}, the newest without a version; {Names.NameRule}): a version's metrics and the reference profile drift is measured against come from that evaluation.",
            ];
            return ModelUploadOutcome.Invalid(errors);
        }

        var mlnet = IsZip(file);
        using var onnx = mlnet ? null : OnnxScorer.Load(file, descriptor, errors);
        if (!mlnet && onnx is null)
        {
            return ModelUploadOutcome.Invalid(errors);
        }

        var read = await EvaluationData.ReadAsync(data, images, dataset, evaluateOn.Version, training.Value.MaxDatasetBytes, cancellationToken);
        if (read is not { Detail: { } detail, Table: { } table })
        {
            return Unprocessable(read.Problem!);
        }

        IScoringModel scorer = onnx!;
        if (mlnet)
        {
            // ML.NET's binary labels are false and true: unless the descriptor names them, the target's two values
            // stand for them in the order our learners give classes.
            var described = descriptor.Classes is null && descriptor.Target is { } target && table.Contains(target)
                ? descriptor with { Classes = TwoClasses(table[target]) }
                : descriptor;
            if (MlNetScorer.Load(file, described, errors) is not { } loaded)
            {
                return ModelUploadOutcome.Invalid(errors);
            }

            scorer = loaded;
            descriptor = loaded.Descriptor;
        }

        if (ColumnFaults(scorer, table, $"'{dataset}' version {detail.Version.Version}") is { Count: > 0 } faults)
        {
            return ModelUploadOutcome.Invalid(faults);
        }

        var loadSeconds = clock.Elapsed.TotalSeconds;
        Prediction[] predictions;
        EvaluationResult evaluation;
        try
        {
            (predictions, evaluation) = await Task.Run(
                () =>
                {
                    var scored = scorer.Score(table);
                    return (scored, ModelEvaluator.Evaluate(scorer, table, scored));
                },
                cancellationToken);
        }
        catch (Exception exception) when (exception is DataException or ArgumentException or OnnxRuntimeException or OverflowException or InvalidOperationException or FormatException)
        {
            return Unprocessable($"The model cannot be evaluated on '{dataset}' version {detail.Version.Version}: {exception.Message}");
        }

        var profile = RunOutputs.Reference(model, detail.Profile, table, scorer, predictions, SampleSeed, cancellationToken);
        var stored = await store.PutContentAddressedAsync($"models/{model}", new MemoryStream(file, writable: false), cancellationToken);
        var (job, run) = RecordedRuns.Succeeded(
            model,
            detail.Version,
            scorer,
            mlnet ? MlNetAlgorithm : OnnxAlgorithm,
            "{}",
            mlflow is null ? $"{(mlnet ? "ML.NET" : "ONNX")} file registered by {actor}" : $"mlflow import of {model} version {mlflow.Version}",
            actor,
            evaluation.Metrics,
            new RunTimings(loadSeconds, 0, clock.Elapsed.TotalSeconds - loadSeconds, clock.Elapsed.TotalSeconds),
            new RunArtifact(RunArtifactNames.Model, mlnet ? "application/zip" : OnnxExports.ContentType, stored.Size, stored.Sha256),
            time.GetUtcNow());
        var inputs = scorer.Inputs.Select(input => new InputField(input.Name, input.Type.ToString().ToLowerInvariant(), null)).ToArray();
        var version = ModelVersion.Of(job, run.Id, scorer, inputs, evaluation.Metrics, stored, profile);
        version.Format = mlnet ? ModelFormats.MlNet : ModelFormats.Onnx;
        // Kept with the dataset version it was evaluated on, whether named or the newest: the same file and descriptor
        // evaluated on the same data is the same version.
        version.DescriptorJson = JsonSerializer.Serialize(descriptor with { EvaluateOn = new DatasetVersionSelector(detail.Version.Name, detail.Version.Version) }, Json);
        var (number, created) = await registry.RegisterRecordedAsync(new RecordedVersion(job, run, version, mlflow), cancellationToken);
        return ModelUploadOutcome.Registered(number, created);
    }

    /// <summary>The model's target and inputs the dataset lacks, or holds as a type the input cannot take, keyed as the descriptor names them.</summary>
    private static Dictionary<string, string[]> ColumnFaults(IScoringModel model, DataTable table, string dataset)
    {
        var faults = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!table.Contains(model.Target))
        {
            faults["target"] = [$"{dataset} has no column '{model.Target}' to evaluate the model's predictions against."];
        }

        for (var i = 0; i < model.Inputs.Count; i++)
        {
            var input = model.Inputs[i];
            if (!table.Contains(input.Name))
            {
                faults[$"inputs[{i}].name"] = [$"{dataset} has no column '{input.Name}', which the model takes."];
            }
            else if (!Takes(input.Type, table[input.Name].Type))
            {
                faults[$"inputs[{i}].type"] =
                [
                    $"'{input.Name}' is {input.Type.ToString().ToLowerInvariant()} in the descriptor but {table[input.Name].Type.ToString().ToLowerInvariant()} in {dataset}.",
                ];
            }
        }

        return faults;
    }

    /// <summary>Whether a column of type <paramref name="column"/> feeds an input of type <paramref name="input"/>: numbers for numbers and booleans, strings for strings.</summary>
    private static bool Takes(ColumnType input, ColumnType column) => input switch
    {
        ColumnType.Numeric => column is ColumnType.Numeric or ColumnType.Boolean,
        ColumnType.Boolean => column is ColumnType.Boolean or ColumnType.Numeric,
        _ => column is ColumnType.Categorical or ColumnType.Text,
    };

    /// <summary>Whether the file is a zip archive (what ML.NET saves; an ONNX file is a protobuf message, never one).</summary>
    private static bool IsZip(byte[] file) => file is [0x50, 0x4B, 0x03, 0x04, ..];

    /// <summary>The target's two values, ordered as our learners order classes (numerically for numbers); null unless there are exactly two.</summary>
    private static string[]? TwoClasses(DataColumn target)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        for (var row = 0; row < target.Length && values.Count <= 2; row++)
        {
            if (!target.IsMissing(row))
            {
                values.Add(RunOutputs.Label(target, row));
            }
        }

        if (values.Count != 2)
        {
            return null;
        }

        return target is NumericColumn
            ? [.. values.OrderBy(value => double.Parse(value, System.Globalization.CultureInfo.InvariantCulture))]
            : [.. values.Order(StringComparer.Ordinal)];
    }

    private static ModelUploadOutcome Unprocessable(string problem) => ModelUploadOutcome.Refused(422, "Cannot register the model", problem);
}
