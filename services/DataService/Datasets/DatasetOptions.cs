namespace MlOps.DataService.Datasets;

/// <summary>Limits of the data service (section <c>Datasets</c>).</summary>
public sealed class DatasetOptions
{
    public const string SectionName = "Datasets";

    /// <summary>The largest CSV an upload may carry; a larger body is answered 413.</summary>
    public long MaxUploadBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>The most rows a generator may be asked for in one version.</summary>
    public int MaxGeneratedRows { get; set; } = 1_000_000;
}
