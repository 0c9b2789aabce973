using System.Text;
using System.Text.Unicode;
using CsvHelper;

namespace MlOps.Learning.Data;

/// <summary>Receives a CSV file's header once, then each data row, from <see cref="CsvRows.Read"/>.</summary>
internal interface ICsvRowSink
{
    void Header(string[] names);

    /// <summary>One data row: <paramref name="csv"/> is positioned on it and has one field per header column.</summary>
    void Row(CsvReader csv, MissingValues missingValues);
}

/// <summary>
/// The one streaming pass over a CSV file that the table reader and the profiler share, with the file checks both
/// need: UTF-8 text without NUL bytes (the line named when it is not), a header with unique non-empty names, and every row as wide as the
/// header. Empty lines are skipped; a header without data rows is an error.
/// </summary>
internal static class CsvRows
{
    private const int RowsBetweenCancellationChecks = 4096;

    /// <summary>Reads every row into <paramref name="sink"/>; returns the number of data rows.</summary>
    public static long Read(Stream stream, string source, CsvReadOptions options, ICsvRowSink sink, CancellationToken ct)
    {
        var readerOptions = new CsvReaderOptions
        {
            Separator = options.Delimiter,
            HasHeader = false,
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            TrimWhitespace = false,
        };
        using var csv = CsvReader.Create(stream, readerOptions, leaveOpen: true);
        try
        {
            return ReadRecords(csv, source, options, sink, ct);
        }
        catch (CsvFormatException e)
        {
            throw new DataException($"The file is not valid CSV: {e.Message}", e);
        }
    }

    private static long ReadRecords(CsvReader csv, string source, CsvReadOptions options, ICsvRowSink sink, CancellationToken ct)
    {
        if (!csv.Read())
        {
            throw new DataException($"The file is empty: {source} has no header row.");
        }

        var names = HeaderNames(csv);
        sink.Header(names);
        var missingValues = new MissingValues(options.MissingTokens);
        long rows = 0;
        while (csv.Read())
        {
            if (rows % RowsBetweenCancellationChecks == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            EnsureText(csv);
            if (csv.FieldCount != names.Length)
            {
                throw new DataException(
                    $"Line {csv.LineNumber} has {csv.FieldCount} field{(csv.FieldCount == 1 ? "" : "s")} where the header has {names.Length}.");
            }

            sink.Row(csv, missingValues);
            rows++;
        }

        if (rows == 0)
        {
            throw new DataException($"The file has a header but no data rows: {source} has nothing after its header.");
        }

        return rows;
    }

    /// <summary>The header's names, trimmed: each present and used once.</summary>
    private static string[] HeaderNames(CsvReader csv)
    {
        EnsureText(csv);
        var names = new string[csv.FieldCount];
        var firstColumnOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            var name = Encoding.UTF8.GetString(csv.GetSpan(i)).Trim();
            if (name.Length == 0)
            {
                throw new DataException($"Column {i + 1} of the header (line {csv.LineNumber}) has an empty name.");
            }

            if (!firstColumnOf.TryAdd(name, i))
            {
                throw new DataException(
                    $"The header (line {csv.LineNumber}) names column '{name}' twice: columns {firstColumnOf[name] + 1} and {i + 1}.");
            }

            names[i] = name;
        }

        return names;
    }

    /// <summary>
    /// CsvHelper decodes invalid UTF-8 to U+FFFD silently; checking each record's bytes names the line. A NUL byte is
    /// not text either, and no PostgreSQL text or jsonb value (a profile, a report) can hold one.
    /// </summary>
    private static void EnsureText(CsvReader csv)
    {
        var record = csv.RawRecord;
        if (!Utf8.IsValid(record))
        {
            throw new DataException($"Line {csv.LineNumber} is not valid UTF-8: the file must be encoded in UTF-8.");
        }

        if (record.Contains((byte)0))
        {
            throw new DataException($"Line {csv.LineNumber} contains a NUL byte (U+0000): a CSV file must hold text only.");
        }
    }
}
