namespace MlOps.Contracts.Datasets;

/// <summary>
/// What a dataset version holds, computed in one pass when it is uploaded. A model's reference profile (what drift is
/// measured against) is this record for its training data.
/// </summary>
public sealed record DatasetProfile(long Rows, IReadOnlyList<ColumnProfile> Columns);

/// <summary>
/// One column: its inferred type (<c>numeric</c>, <c>boolean</c>, <c>categorical</c>, <c>text</c>, or <c>image</c> in a
/// dataset archive), missing values, distinct values (exact up to a bound, then a HyperLogLog estimate), and the summary
/// of its type.
/// </summary>
public sealed record ColumnProfile(
    string Name,
    string Type,
    long Missing,
    long Distinct,
    bool DistinctIsEstimate,
    NumericSummary? Numeric,
    IReadOnlyList<CategoryCount>? TopValues,
    BooleanSummary? Boolean,
    TextSummary? Text,
    ImageSummary? Image = null);

/// <summary>
/// Numbers: extremes, mean and population standard deviation over every value; quantiles (numpy's linear
/// interpolation) and a 20-bin histogram between min and max, exact up to the profiler's sample size and from a seeded
/// uniform sample above it (<see cref="FromSample"/>). <see cref="WholeNumbers"/>: every value is a whole number (what
/// task inference reads to take a few distinct integers as classes; null in profiles made before it was kept).
/// </summary>
public sealed record NumericSummary(
    double Min,
    double Max,
    double Mean,
    double StandardDeviation,
    Quantiles Quantiles,
    Histogram Histogram,
    bool FromSample,
    bool? WholeNumbers = null);

public sealed record Quantiles(double P1, double P5, double P25, double P50, double P75, double P95, double P99);

/// <summary><c>Edges</c> has one more entry than <c>Counts</c>; every bin is [low, high) but the last, [low, high].</summary>
public sealed record Histogram(IReadOnlyList<double> Edges, IReadOnlyList<long> Counts);

public sealed record CategoryCount(string Value, long Count);

public sealed record BooleanSummary(long True, long False);

/// <summary>Lengths in characters and words (whitespace-separated) of the present values.</summary>
public sealed record TextSummary(long MinLength, long MaxLength, double MeanLength, double MeanWords);

/// <summary>
/// The pictures an image column names: how many decoded, their formats (<c>png</c>, <c>jpeg</c>, …) and their widths and
/// heights in pixels; and the files that could not be used, kept as missing values when the upload asked for that
/// (<c>?badImages=missing</c>) rather than refusing them (<see cref="Failures"/> lists the first ones).
/// </summary>
public sealed record ImageSummary(
    long Decoded,
    IReadOnlyList<CategoryCount> Formats,
    NumericSummary? Width,
    NumericSummary? Height,
    long Failed,
    IReadOnlyList<ImageFailure> Failures);

/// <summary>A file an image column names that could not be used: the CSV line naming it, its path and why.</summary>
public sealed record ImageFailure(long Line, string File, string Error);
