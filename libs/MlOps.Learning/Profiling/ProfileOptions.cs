namespace MlOps.Learning.Profiling;

/// <summary>Bounds that keep profiling a file of any size in flat memory.</summary>
public sealed record ProfileOptions
{
    /// <summary>Numeric quantiles and histograms are exact up to this many values per column, then from a sample this big.</summary>
    public int SampleSize { get; init; } = 100_000;

    /// <summary>Distinct values are counted exactly up to this many per column, then estimated (HyperLogLog).</summary>
    public int ExactDistinctLimit { get; init; } = 100_000;

    /// <summary>Most frequent values listed for a categorical column.</summary>
    public int TopValues { get; init; } = 20;

    public int HistogramBins { get; init; } = 20;

    /// <summary>Seeds the sample, so the same file always gets the same profile.</summary>
    public long Seed { get; init; } = 42;
}
