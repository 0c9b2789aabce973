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

    public static byte[] Bytes(string name, int rows, int seed, IReadOnlyDictionary<string, DriftSpec>? drift = null)
    {
        using var stream = new MemoryStream();
        Generator(name).WriteCsvAsync(stream, new GeneratorRequest(rows, seed, drift)).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    public static DataTable Table(string name, int rows, int seed, IReadOnlyDictionary<string, DriftSpec>? drift = null)
    {
        using var stream = new MemoryStream(Bytes(name, rows, seed, drift));
        return CsvTableReader.Read(stream);
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    public static string[] Lines(byte[] bytes) => Encoding.UTF8.GetString(bytes).Split('\n');
}
