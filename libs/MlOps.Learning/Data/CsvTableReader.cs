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
        var sink = new TableSink(options);
        CsvRows.Read(stream, source, options, sink, ct);
        return sink.Build();
    }

    /// <summary>Feeds each field to its column's builder.</summary>
    private sealed class TableSink(CsvReadOptions options) : ICsvRowSink
    {
        private CsvColumnBuilder[] _columns = [];
        private char[] _scratch = new char[256];

        public void Header(string[] names) => _columns = CreateColumns(names, options.ColumnTypes);

        public void Row(CsvReader csv, MissingValues missingValues)
        {
            for (var i = 0; i < _columns.Length; i++)
            {
                var field = csv.GetSpan(i);
                if (missingValues.Matches(field))
                {
                    _columns[i].AddMissing();
                    continue;
                }

                if (field.Length > _scratch.Length)
                {
                    _scratch = new char[Math.Max(field.Length, 2 * _scratch.Length)];
                }

                _columns[i].Add(field, _scratch, csv.LineNumber);
            }
        }

        public DataTable Build()
        {
            var built = new DataColumn[_columns.Length];
            for (var i = 0; i < built.Length; i++)
            {
                built[i] = _columns[i].Build(options.Inference);
            }

            return new DataTable(built);
        }
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
}
