using System.Security.Cryptography;
using System.Text;
using MlOps.Learning.Data;
using MlOps.Learning.Generators;

namespace MlOps.Learning.Tests.Generators;

/// <summary>Runs a built-in generator into memory and reads the result back as the platform would.</summary>
internal static class Generated
{
    public static IDatasetGenerator Generator(string name) =>
        DatasetGenerators.TryGet(name, out var generator) ? generator : throw new InvalidOperationException(name);

    public static byte[] Bytes(string name, int rows, int seed, IReadOnlyDictionary<string, DriftSpec>? drift = null, double? overlap = null)
    {
        using var stream = new MemoryStream();
        Generator(name).WriteAsync(stream, new GeneratorRequest(rows, seed, drift, overlap)).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    /// <summary>The generated table; for an archive, its CSV's (image columns hold the pictures' paths).</summary>
    public static DataTable Table(string name, int rows, int seed, IReadOnlyDictionary<string, DriftSpec>? drift = null, double? overlap = null)
    {
        var bytes = Bytes(name, rows, seed, drift, overlap);
        using var stream = new MemoryStream(bytes);
        if (!DatasetArchive.IsArchive(bytes))
        {
            return CsvTableReader.Read(stream);
        }

        using var archive = DatasetArchive.Open(stream, new ArchiveLimits());
        var types = MlOps.Learning.Profiling.ArchiveProfiler.Profile(archive).Columns.ToDictionary(c => c.Name, c => Enum.Parse<ColumnType>(c.Type, ignoreCase: true));
        using var csv = archive.OpenCsv();
        return CsvTableReader.Read(csv, new CsvReadOptions { ColumnTypes = types });
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    public static string[] Lines(byte[] bytes) => Encoding.UTF8.GetString(bytes).Split('\n');
}
