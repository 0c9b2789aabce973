using System.Text;
using System.Text.Unicode;
using CsvHelper;

namespace MlOps.Learning.Data;

/// <summary>
/// Reads a CSV file (UTF-8, byte order mark allowed, header row required, quoting per RFC 4180) into a typed
/// <see cref="DataTable"/> in one streaming pass. Column types are inferred unless
/// <see cref="CsvReadOptions.ColumnTypes"/> sets them:
/// <list type="number">
/// <item>no present value at all: Numeric, every value missing;</item>
/// <item>every present value a finite number in invariant culture: Numeric;</item>
/// <item>every present value true or false (any case): Boolean;</item>
/// <item>few distinct short values (<see cref="TypeInferenceOptions"/>): Categorical;</item>
/// <item>otherwise Text.</item>
/// </list>
/// Memory: numbers are stored as doubles as they are read, and other columns as an int code per row plus each distinct
/// value once (see <see cref="CsvColumnBuilder"/>); the raw text of the file is never held. Empty lines are skipped.
/// </summary>
public static class CsvTableReader
{
    private const int RowsBetweenCancellationChecks = 4096;

    public static DataTable ReadFile(string path, CsvReadOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(
            path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return Read(stream, $"'{path}'", options ?? new CsvReadOptions(), ct);
    }

    /// <summary>Reads <paramref name="stream"/> from its current position; the stream is left open.</summary>
    public static DataTable Read(Stream stream, CsvReadOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Read(stream, "the input", options ?? new CsvReadOptions(), ct);
    }

    private static DataTable Read(Stream stream, string source, CsvReadOptions options, CancellationToken ct)
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
            return ReadRecords(csv, source, options, ct);
        }
        catch (CsvFormatException e)
        {
            throw new DataException($"The file is not valid CSV: {e.Message}", e);
        }
    }

    private static DataTable ReadRecords(CsvReader csv, string source, CsvReadOptions options, CancellationToken ct)
    {
        if (!csv.Read())
        {
            throw new DataException($"The file is empty: {source} has no header row.");
        }

        var columns = CreateColumns(HeaderNames(csv), options.ColumnTypes);
        var missingValues = new MissingValues(options.MissingTokens);
        var scratch = new char[256];
        var rows = 0;
        while (csv.Read())
        {
            if (rows % RowsBetweenCancellationChecks == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            EnsureValidUtf8(csv);
            if (csv.FieldCount != columns.Length)
            {
                throw new DataException(
                    $"Line {csv.LineNumber} has {csv.FieldCount} field{(csv.FieldCount == 1 ? "" : "s")} where the header has {columns.Length}.");
            }

            for (var i = 0; i < columns.Length; i++)
            {
                var field = csv.GetSpan(i);
                if (missingValues.Matches(field))
                {
                    columns[i].AddMissing();
                    continue;
                }

                if (field.Length > scratch.Length)
                {
                    scratch = new char[Math.Max(field.Length, 2 * scratch.Length)];
                }

                columns[i].Add(field, scratch, csv.LineNumber);
            }

            rows++;
        }

        if (rows == 0)
        {
            throw new DataException($"The file has a header but no data rows: {source} has nothing after its header.");
        }

        var built = new DataColumn[columns.Length];
        for (var i = 0; i < built.Length; i++)
        {
            built[i] = columns[i].Build(options.Inference);
        }

        return new DataTable(built);
    }

    /// <summary>The header's names, trimmed: each present and used once.</summary>
    private static string[] HeaderNames(CsvReader csv)
    {
        EnsureValidUtf8(csv);
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

    private static CsvColumnBuilder[] CreateColumns(string[] names, IReadOnlyDictionary<string, ColumnType> declared)
    {
        foreach (var name in declared.Keys)
        {
            if (Array.IndexOf(names, name) < 0)
            {
                throw new DataException(
                    $"ColumnTypes names column '{name}', which the header does not have. The columns are: {string.Join(", ", names.Select(n => $"'{n}'"))}.");
            }
        }

        var columns = new CsvColumnBuilder[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            columns[i] = new CsvColumnBuilder(names[i], declared.TryGetValue(names[i], out var type) ? type : null);
        }

        return columns;
    }

    /// <summary>CsvHelper decodes invalid UTF-8 to U+FFFD silently; checking each record's bytes names the line.</summary>
    private static void EnsureValidUtf8(CsvReader csv)
    {
        if (!Utf8.IsValid(csv.RawRecord))
        {
            throw new DataException($"Line {csv.LineNumber} is not valid UTF-8: the file must be encoded in UTF-8.");
        }
    }
}
