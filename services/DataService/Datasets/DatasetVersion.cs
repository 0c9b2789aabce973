namespace MlOps.DataService.Datasets;

public sealed class Dataset
{
    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One stored version. Columns and profile are JSON documents (<c>MlOps.Contracts.Datasets</c>).</summary>
public sealed class DatasetVersion
{
    public required string Dataset { get; set; }

    public int Version { get; set; }

    public required string Sha256 { get; set; }

    public long SizeBytes { get; set; }

    public required string ArtifactKey { get; set; }

    /// <summary><c>csv</c> or <c>zip</c> (<see cref="MlOps.Contracts.Datasets.DatasetFormats"/>).</summary>
    public required string Format { get; set; }

    public long Rows { get; set; }

    public required string ColumnsJson { get; set; }

    public required string ProfileJson { get; set; }

    public required string Source { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the version was deleted; a deleted version is a tombstone that keeps its number taken.</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    public string? DeletedBy { get; set; }
}
