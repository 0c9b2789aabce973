using MlOps.Learning.Data;

namespace MlOps.Images.Embedding;

/// <summary>
/// A dataset archive as the learners take it: its CSV read with the given column types, and each image column's
/// pictures read from the archive and encoded (<see cref="EmbeddingColumn"/>), each distinct file once. A picture that
/// cannot be used (kept as missing when the version was uploaded with <c>badImages=missing</c>) is a missing value.
/// </summary>
public static class ArchiveTables
{
    /// <summary>Pictures read and embedded together; progress is reported after each chunk.</summary>
    private const int Chunk = 64;

    /// <param name="progress">Called with (pictures encoded, pictures in all) as the encoding goes.</param>
    public static DataTable Read(
        DatasetArchive archive,
        IReadOnlyDictionary<string, ColumnType> types,
        ImageEmbedder embedder,
        Action<int, int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(embedder);
        DataTable table;
        using (var csv = archive.OpenCsv())
        {
            table = CsvTableReader.Read(csv, new CsvReadOptions { ColumnTypes = types }, cancellationToken);
        }

        var columns = table.Columns.ToArray();
        var total = columns.OfType<ImageColumn>().Sum(column => column.Files.Distinct().Count(file => file is not null));
        var done = 0;
        for (var i = 0; i < columns.Length; i++)
        {
            if (columns[i] is ImageColumn pictures)
            {
                columns[i] = Encode(archive, pictures, embedder, encoded => progress?.Invoke(done += encoded, total), cancellationToken);
            }
        }

        return new DataTable(columns);
    }

    private static EmbeddingColumn Encode(
        DatasetArchive archive, ImageColumn column, ImageEmbedder embedder, Action<int> encoded, CancellationToken cancellationToken)
    {
        var files = column.Files.Where(file => file is not null).Distinct(StringComparer.Ordinal).ToArray();
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var start = 0; start < files.Length; start += Chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = files.AsSpan(start, Math.Min(Chunk, files.Length - start)).ToArray();
            var readable = new List<(string File, byte[] Bytes)>(chunk.Length);
            foreach (var file in chunk)
            {
                if (archive.TryResolve(file!, out var path, out _) && TryRead(archive, path) is { } bytes)
                {
                    readable.Add((file!, bytes));
                }
            }

            var outcomes = embedder.Embed([.. readable.Select(picture => picture.Bytes)], cancellationToken);
            for (var j = 0; j < readable.Count; j++)
            {
                if (outcomes[j].Vector is { } vector)
                {
                    vectors[readable[j].File] = vector;
                }
            }

            encoded(chunk.Length);
        }

        var encoding = embedder.Encoding;
        var values = new float[column.Length * encoding.Dimensions];
        var missing = new bool[column.Length];
        for (var row = 0; row < column.Length; row++)
        {
            if (column.Files[row] is { } file && vectors.TryGetValue(file, out var vector))
            {
                vector.CopyTo(values.AsSpan(row * encoding.Dimensions));
            }
            else
            {
                missing[row] = true;
            }
        }

        return new EmbeddingColumn(column.Name, encoding, values, missing);
    }

    private static byte[]? TryRead(DatasetArchive archive, string path)
    {
        try
        {
            return archive.ReadImage(path);
        }
        catch (ImageFormatException)
        {
            return null;
        }
    }
}
