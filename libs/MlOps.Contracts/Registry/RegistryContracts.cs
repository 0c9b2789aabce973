using MlOps.Contracts.Datasets;

namespace MlOps.Contracts.Registry;

/// <summary>A registered model: its aliases, its newest version, and its revision (bumped by every new version or alias move).</summary>
public sealed record ModelResponse(
    string Name,
    int LatestVersion,
    int Versions,
    IReadOnlyDictionary<string, int> Aliases,
    long Revision,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// One immutable version of a model: what it predicts, what it takes (its input schema), how good it was on its
/// validation split, and where it came from. <see cref="Descriptor"/> is how an ONNX model made elsewhere is read
/// (null for the platform's own models).
/// </summary>
public sealed record ModelVersionResponse(
    string Model,
    int Version,
    string Algorithm,
    string Task,
    string Target,
    IReadOnlyList<string> Classes,
    IReadOnlyList<InputField> Inputs,
    IReadOnlyDictionary<string, double> Metrics,
    PrimaryMetric PrimaryMetric,
    ModelLineage Lineage,
    ModelArtifact Artifact,
    IReadOnlyList<string> Aliases,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    ModelDescriptor? Descriptor = null);

/// <summary>
/// An input the model takes: its name, its type (numeric, boolean, categorical, text), and for categorical inputs the
/// categories seen in training (any other value is scored as the shared "other" category).
/// </summary>
public sealed record InputField(string Name, string Type, IReadOnlyList<string>? Categories);

/// <summary>The metric versions are compared on, its value, and which way is better.</summary>
public sealed record PrimaryMetric(string Name, double Value, bool HigherIsBetter);

public sealed record ModelLineage(Guid RunId, Guid JobId, string Experiment, string Dataset, int DatasetVersion, string DatasetSha256);

/// <summary>The model file: its <see cref="ModelFormats">format</see>, size and SHA-256, downloadable at <c>…/versions/{version}/artifact</c>.</summary>
public sealed record ModelArtifact(string Format, long Size, string Sha256);

/// <summary>
/// What the monitor compares live traffic with: the profile of the features the model was trained on, and the profile
/// of the model's own predictions on its validation split (columns <c>prediction</c>, and <c>probability</c> of the
/// positive class for binary models). The KS and Wasserstein tests need values, not histograms, so each numeric
/// feature and each numeric prediction column also comes with a seeded sample of at most 2,000 of its values
/// (<paramref name="FeatureSamples"/>, <paramref name="PredictionSamples"/>, by column; none for versions registered
/// before samples were kept). Each image column comes with the sketches (32 numbers each) of at most 500 of its
/// training pictures (<paramref name="ImageSketches"/>), what the domain-classifier test compares served pictures with.
/// </summary>
public sealed record ReferenceProfile(
    string Model,
    int Version,
    DatasetProfile Features,
    DatasetProfile Predictions,
    IReadOnlyDictionary<string, double[]>? FeatureSamples = null,
    IReadOnlyDictionary<string, double[]>? PredictionSamples = null,
    IReadOnlyDictionary<string, float[][]>? ImageSketches = null);

/// <summary><c>PUT /api/models/{name}/aliases/{alias}</c>.</summary>
public sealed record MoveAliasRequest(int? Version, string? Reason);

/// <summary>One move of an alias: who moved it, when, from which version to which (null when set first or removed), and why.</summary>
public sealed record AliasMove(
    long Id,
    string Model,
    string Alias,
    int? FromVersion,
    int? ToVersion,
    string Actor,
    string Reason,
    Guid? JobId,
    DateTimeOffset At);

/// <summary>
/// <c>GET /api/models/changes?after={revision}</c>: every model whose revision is above <c>after</c>, with its aliases,
/// and the registry's newest revision to pass as <c>after</c> next time.
/// </summary>
public sealed record ModelChanges(long Revision, IReadOnlyList<ModelChange> Models);

public sealed record ModelChange(string Name, long Revision, int LatestVersion, IReadOnlyDictionary<string, int> Aliases);

/// <summary>What stands on one dataset version: the model versions trained on it and the queued or running jobs that will train on it (what the data service asks before deleting it).</summary>
public sealed record DatasetUsage(string Dataset, int Version, IReadOnlyList<ModelVersionReference> ModelVersions, IReadOnlyList<Guid> ActiveJobs);

public sealed record ModelVersionReference(string Model, int Version);

/// <summary>
/// <c>POST /api/models/import/mlflow</c>: the MLflow version of the registered model named <see cref="Model"/> to
/// bring into our model of the same name, by number (<see cref="MlflowVersion"/>) or by alias
/// (<see cref="MlflowAlias"/>), and optionally the dataset version to evaluate it on (by default the one its MLflow
/// run names; <see cref="DatasetVersion"/> left out means the newest). A version with MLflow's <c>onnx</c> flavor is
/// read through <see cref="Onnx"/>: its task, target, classes and outputs (MLmodel holds none of them); its inputs come
/// from the MLmodel signature unless given there.
/// </summary>
public sealed record MlflowImportRequest(string? Model, string? MlflowVersion, string? MlflowAlias, string? Dataset, int? DatasetVersion, ModelDescriptor? Onnx = null);
