using System.Text;
using MlOps.Learning.Data;

namespace MlOps.Learning.Tests.Data;

/// <summary>Reads CSV written inline in a test.</summary>
internal static class CsvText
{
    public static DataTable Read(string text, CsvReadOptions? options = null) => Read(Encoding.UTF8.GetBytes(text), options);

    public static DataTable Read(byte[] bytes, CsvReadOptions? options = null)
    {
        using var stream = new MemoryStream(bytes);
        return CsvTableReader.Read(stream, options);
    }

    public static string ReadError(string text, CsvReadOptions? options = null) =>
        Assert.Throws<DataException>(() => Read(text, options)).Message;

    /// <summary>A header and one value per row.</summary>
    public static string Column(string name, IEnumerable<string> values) => $"{name}\n{string.Join("\n", values)}\n";
}
