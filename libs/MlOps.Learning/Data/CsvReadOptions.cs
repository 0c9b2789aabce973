using System.Collections.Frozen;

namespace MlOps.Learning.Data;

/// <summary>How <see cref="CsvTableReader"/> reads a file.</summary>
public sealed record CsvReadOptions
{
    /// <summary>The field separator; an ASCII character other than the quote and line breaks.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>
    /// Types chosen by the caller for some columns, by header name; the others are inferred. A value that cannot be read
    /// as the chosen type (a word in a Numeric column, <c>maybe</c> in a Boolean one) is an error naming its line.
    /// </summary>
    public IReadOnlyDictionary<string, ColumnType> ColumnTypes { get; init; } = FrozenDictionary<string, ColumnType>.Empty;

    /// <summary>
    /// Values that mean "missing", matched ignoring case and surrounding spaces and tabs. An empty (or blank) field is
    /// always missing.
    /// </summary>
    public IReadOnlyList<string> MissingTokens { get; init; } = MissingValues.DefaultTokens;

    /// <summary>The thresholds that tell categorical columns from free text.</summary>
    public TypeInferenceOptions Inference { get; init; } = new();
}
