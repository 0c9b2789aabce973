using CsvHelper;
using MlOps.Contracts.Datasets;
using MlOps.Learning.Data;

namespace MlOps.Learning.Profiling;

/// <summary>
/// Profiles a CSV file in one streaming pass, with the same checks and type rules as <see cref="CsvTableReader"/> but
/// in memory bounded by <see cref="ProfileOptions"/> whatever the file's size: what the data service runs on every
/// upload.
/// </summary>
public static class CsvProfiler
{
    public static DatasetProfile Profile(Stream stream, ProfileOptions? options = null, CsvReadOptions? csv = null, CancellationToken ct = default) =>
        Profile(stream, "the input", imagePaths: false, options ?? new ProfileOptions(), csv ?? new CsvReadOptions(), ct);

    /// <summary>The profile of a CSV; with <paramref name="imagePaths"/> (an archive's CSV), columns of image file names are images.</summary>
    internal static DatasetProfile Profile(
        Stream stream, string source, bool imagePaths, ProfileOptions options, CsvReadOptions csv, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var sink = new ProfileSink(options, csv, imagePaths);
        var rows = CsvRows.Read(stream, source, csv, sink, ct);
        return new DatasetProfile(rows, sink.Build());
    }

    private sealed class ProfileSink(ProfileOptions options, CsvReadOptions csv, bool imagePaths) : ICsvRowSink
    {
        private ColumnAccumulator[] _columns = [];
        private char[] _scratch = new char[256];

        public void Header(string[] names)
        {
            var random = new DataSplitRandom(options.Seed);
            _columns = names.Select(name => new ColumnAccumulator(name, options, csv.Inference, random, imagePaths)).ToArray();
        }

        public void Row(CsvReader reader, MissingValues missingValues)
        {
            for (var i = 0; i < _columns.Length; i++)
            {
                var field = reader.GetSpan(i);
                if (missingValues.Matches(field))
                {
                    _columns[i].AddMissing();
                    continue;
                }

                if (field.Length > _scratch.Length)
                {
                    _scratch = new char[Math.Max(field.Length, 2 * _scratch.Length)];
                }

                _columns[i].Add(field, _scratch);
            }
        }

        public List<ColumnProfile> Build() => _columns.Select(column => column.Build()).ToList();
    }
}
