using MlOps.Images;

namespace MlOps.Learning.Data;

/// <summary>How large a dataset archive may be once opened: its entries, their bytes uncompressed, each image.</summary>
public sealed record ArchiveLimits
{
    /// <summary>The most entries (files and folders) the zip may hold.</summary>
    public int MaxEntries { get; init; } = 200_000;

    /// <summary>The most bytes its files may take uncompressed, together (a zip bomb is refused before it inflates).</summary>
    public long MaxUncompressedBytes { get; init; } = 8L << 30;

    /// <summary>The limits of each image it holds.</summary>
    public ImageLimits Images { get; init; } = new();
}
