using MlOps.Images;
using MlOps.Learning.Data;

namespace MlOps.DataService.Datasets;

/// <summary>Limits of the data service (section <c>Datasets</c>).</summary>
public sealed class DatasetOptions
{
    public const string SectionName = "Datasets";

    /// <summary>The largest CSV an upload may carry; a larger body is answered 413.</summary>
    public long MaxUploadBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>The most rows a generator may be asked for in one version.</summary>
    public int MaxGeneratedRows { get; set; } = 1_000_000;

    /// <summary>The most entries (files and folders) a dataset archive may hold.</summary>
    public int MaxArchiveEntries { get; set; } = 200_000;

    /// <summary>The most bytes an archive's files may take uncompressed, together.</summary>
    public long MaxArchiveUncompressedBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>The most bytes one image in an archive may take.</summary>
    public long MaxImageBytes { get; set; } = ImageLimits.DefaultMaxBytes;

    /// <summary>The most pixels a side of an image in an archive may have.</summary>
    public int MaxImageSide { get; set; } = ImageLimits.DefaultMaxSide;

    public ArchiveLimits ArchiveLimits => new()
    {
        MaxEntries = MaxArchiveEntries,
        MaxUncompressedBytes = MaxArchiveUncompressedBytes,
        Images = new ImageLimits(MaxImageBytes, MaxImageSide),
    };
}
