namespace MlOps.Images;

/// <summary>How large an image may be, in bytes as sent and in pixels once decoded.</summary>
/// <param name="MaxBytes">The most bytes an encoded image may take (default 10 MiB).</param>
/// <param name="MaxSide">The most pixels a side may have (default 8,192).</param>
public sealed record ImageLimits(long MaxBytes = ImageLimits.DefaultMaxBytes, int MaxSide = ImageLimits.DefaultMaxSide)
{
    public const long DefaultMaxBytes = 10L << 20;

    public const int DefaultMaxSide = 8_192;
}
