using System.Text.Json;
using MlOps.Artifacts;
using MlOps.Contracts.Registry;
using MlOps.Learning.Models;
using MlOps.TrainerService.Jobs;
using MlOps.TrainerService.Runs;

namespace MlOps.TrainerService.Registry;

/// <summary>A model name in the registry; <see cref="Revision"/> moves (from one sequence) whenever a version or an alias changes.</summary>
public sealed class RegisteredModel
{
    public required string Name { get; set; }

    public long Revision { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An immutable model version: the artifact, its schema, metrics, lineage and reference profile.</summary>
public sealed class ModelVersion
{
    public required string Model { get; set; }

    public int Version { get; set; }

    public required string Algorithm { get; set; }

    public required string Task { get; set; }

    public required string Target { get; set; }

    public required string ClassesJson { get; set; }

    public required string InputsJson { get; set; }

    public required string MetricsJson { get; set; }

    public required string PrimaryMetric { get; set; }

    public double PrimaryValue { get; set; }

    public bool HigherIsBetter { get; set; }

    public Guid RunId { get; set; }

    public Guid JobId { get; set; }

    public required string Experiment { get; set; }

    public required string Dataset { get; set; }

    public int DatasetVersion { get; set; }

    public required string DatasetSha256 { get; set; }

    public required string ArtifactKey { get; set; }

    public long ArtifactSize { get; set; }

    public required string ArtifactSha256 { get; set; }

    public required string ReferenceProfileJson { get; set; }

    /// <summary>What the file is (<see cref="ModelFormats"/>), and so how it is loaded.</summary>
    public string Format { get; set; } = ModelFormats.Ours;

    /// <summary>How an ONNX file is read (<see cref="ModelDescriptor"/>); null for our own model files.</summary>
    public string? DescriptorJson { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The version a job's run makes of <paramref name="model"/> (numbered when registered), scored by <paramref name="metrics"/>.</summary>
    public static ModelVersion Of(
        TrainingJob job, Guid runId, Model model, IReadOnlyDictionary<string, double> metrics, ArtifactInfo file, ReferenceProfile reference) =>
        Of(job, runId, model, RunOutputs.Inputs(model), metrics, file, reference);

    /// <summary>The version a job's run records of any scoring model, taking <paramref name="inputs"/> (numbered when registered).</summary>
    public static ModelVersion Of(
        TrainingJob job,
        Guid runId,
        IScoringModel model,
        IReadOnlyList<InputField> inputs,
        IReadOnlyDictionary<string, double> metrics,
        ArtifactInfo file,
        ReferenceProfile reference) => new()
        {
            Model = job.Model,
            Algorithm = job.Algorithm,
            Task = job.Task,
            Target = job.Target,
            ClassesJson = JsonSerializer.Serialize(model.Classes, Json),
            InputsJson = JsonSerializer.Serialize(inputs, Json),
            MetricsJson = JsonSerializer.Serialize(metrics, Json),
            PrimaryMetric = job.PrimaryMetric,
            PrimaryValue = metrics[job.PrimaryMetric],
            HigherIsBetter = ModelMetrics.HigherIsBetter(job.PrimaryMetric),
            RunId = runId,
            JobId = job.Id,
            Experiment = job.Experiment,
            Dataset = job.Dataset,
            DatasetVersion = job.DatasetVersion,
            DatasetSha256 = job.DatasetSha256,
            ArtifactKey = file.Key,
            ArtifactSize = file.Size,
            ArtifactSha256 = file.Sha256,
            ReferenceProfileJson = JsonSerializer.Serialize(reference, Json),
            CreatedBy = job.CreatedBy,
        };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

public sealed class ModelAlias
{
    public required string Model { get; set; }

    public required string Alias { get; set; }

    public int Version { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class AliasHistoryEntry
{
    public long Id { get; set; }

    public required string Model { get; set; }

    public required string Alias { get; set; }

    public int? FromVersion { get; set; }

    public int? ToVersion { get; set; }

    public required string Actor { get; set; }

    public required string Reason { get; set; }

    public Guid? JobId { get; set; }

    public DateTimeOffset At { get; set; }
}
