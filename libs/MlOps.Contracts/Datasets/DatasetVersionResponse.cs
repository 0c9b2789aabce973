namespace MlOps.Contracts.Datasets;

/// <summary>A column as a version describes it: its name and inferred type.</summary>
public sealed record ColumnSchema(string Name, string Type);

/// <summary>
/// One immutable version of a dataset, as the data service answers it. <see cref="Format"/> is what its content is:
/// <c>csv</c>, or <c>zip</c> for an archive of one CSV and the images its image columns name.
/// </summary>
public sealed record DatasetVersionResponse(
    string Name,
    int Version,
    string Sha256,
    long Rows,
    long SizeBytes,
    IReadOnlyList<ColumnSchema> Columns,
    string Source,
    DateTimeOffset CreatedAt,
    string Format = DatasetFormats.Csv);

/// <summary>A version with its full profile (<c>GET /api/datasets/{name}/versions/{version}</c>).</summary>
public sealed record DatasetVersionDetail(DatasetVersionResponse Version, DatasetProfile Profile);

/// <summary>A dataset in the list: its newest version and how many it has.</summary>
public sealed record DatasetSummary(string Name, int LatestVersion, int Versions, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// <c>POST /api/datasets/{name}/versions/generate</c>: rows from a built-in generator, deterministic for a seed;
/// <c>drift</c> shifts named features (per feature: meanShift in standard deviations, scale, categoryMix weights);
/// <c>overlap</c> (0 to 1) sets how much the classes share, for the generators that take it.
/// </summary>
public sealed record GenerateDatasetRequest(
    string? Generator, int? Rows, int? Seed, IReadOnlyDictionary<string, DriftRequest>? Drift, double? Overlap = null);

public sealed record DriftRequest(double? MeanShift, double? Scale, IReadOnlyDictionary<string, double>? CategoryMix);
