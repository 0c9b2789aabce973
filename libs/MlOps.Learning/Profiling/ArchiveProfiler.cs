using System.Text;
using CsvHelper;
using MlOps.Contracts.Datasets;
using MlOps.Images;
using MlOps.Learning.Data;

namespace MlOps.Learning.Profiling;

/// <summary>
/// Profiles a dataset archive: its CSV as <see cref="CsvProfiler"/> does, with columns of image file names typed
/// <c>image</c>; then every file those columns name is found in the archive and decoded whole (in parallel), and each
/// image column's profile gets its <see cref="ImageSummary"/>. A value whose path leaves the archive or names no file in
/// it is always refused; an image that cannot be used is refused or kept as missing, per <see cref="BadImagePolicy"/>.
/// Every error names the CSV line, the column and the file.
/// </summary>
public static class ArchiveProfiler
{
    /// <summary>The most unusable files an image summary lists (all are counted).</summary>
    public const int MaxFailuresListed = 100;

    // Files are read one at a time (a zip has one reader) and decoded a chunk at a time on every core.
    private const int ChunkFiles = 64;
    private const long ChunkBytes = 64L << 20;

    /// <exception cref="DataException">The CSV is invalid, or an image value is refused (the message names line, column and file).</exception>
    public static DatasetProfile Profile(
        DatasetArchive archive, BadImagePolicy badImages = BadImagePolicy.Refuse, ProfileOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        options ??= new ProfileOptions();
        var csv = new CsvReadOptions();
        var source = $"the archive's CSV '{archive.CsvPath}'";
        var profile = ReadCsv(archive, stream => CsvProfiler.Profile(stream, source, imagePaths: true, options, csv, ct));
        var imageColumns = Enumerable.Range(0, profile.Columns.Count)
            .Where(i => profile.Columns[i].Type == "image")
            .ToArray();
        if (imageColumns.Length == 0)
        {
            return profile;
        }

        var sink = new ReferenceSink(imageColumns);
        ReadCsv(archive, stream => CsvRows.Read(stream, source, csv, sink, ct));
        var names = imageColumns.Select(i => profile.Columns[i].Name).ToArray();
        var outcomes = Inspect(archive, sink.References, names, badImages, ct);

        var columns = profile.Columns.ToList();
        var random = new DataSplitRandom(options.Seed);
        for (var k = 0; k < imageColumns.Length; k++)
        {
            columns[imageColumns[k]] = columns[imageColumns[k]] with { Image = Summarize(sink.References[k], outcomes, options, random) };
        }

        return profile with { Columns = columns };
    }

    private static T ReadCsv<T>(DatasetArchive archive, Func<Stream, T> read)
    {
        try
        {
            using var stream = archive.OpenCsv();
            return read(stream);
        }
        catch (InvalidDataException exception)
        {
            throw new DataException($"The archive's CSV '{archive.CsvPath}' is damaged: {exception.Message}", exception);
        }
    }

    /// <summary>Each distinct file the references name, read and decoded once: its format and size, or why it cannot be used.</summary>
    private static Dictionary<string, ImageOutcome> Inspect(
        DatasetArchive archive, List<ImageReference>[] references, string[] columns, BadImagePolicy badImages, CancellationToken ct)
    {
        var firstReference = new Dictionary<string, (ImageReference Reference, string Column)>(StringComparer.Ordinal);
        for (var k = 0; k < references.Length; k++)
        {
            foreach (var reference in references[k])
            {
                if (!archive.TryResolve(reference.Value, out var path, out var problem))
                {
                    throw new DataException($"Line {reference.Line}, column '{columns[k]}': '{reference.Value}' {problem}.");
                }

                reference.Path = path;
                firstReference.TryAdd(path, (reference, columns[k]));
            }
        }

        var outcomes = new Dictionary<string, ImageOutcome>(StringComparer.Ordinal);
        var paths = firstReference.Keys.ToArray();
        var chunk = new List<(string Path, byte[]? Bytes, string? Error)>(ChunkFiles);
        var parallel = new ParallelOptions { CancellationToken = ct };
        for (var start = 0; start < paths.Length;)
        {
            chunk.Clear();
            long bytes = 0;
            while (start < paths.Length && chunk.Count < ChunkFiles && bytes < ChunkBytes)
            {
                var path = paths[start++];
                try
                {
                    var content = archive.ReadImage(path);
                    bytes += content.Length;
                    chunk.Add((path, content, null));
                }
                catch (ImageFormatException exception)
                {
                    chunk.Add((path, null, exception.Message));
                }
            }

            var decoded = new ImageOutcome[chunk.Count];
            Parallel.For(0, chunk.Count, parallel, i =>
            {
                var (_, content, error) = chunk[i];
                if (content is null)
                {
                    decoded[i] = new ImageOutcome(null, error);
                    return;
                }

                try
                {
                    decoded[i] = new ImageOutcome(ImageDecoder.Inspect(content, archive.Limits.Images), null);
                }
                catch (ImageFormatException exception)
                {
                    decoded[i] = new ImageOutcome(null, exception.Message);
                }
            });

            for (var i = 0; i < chunk.Count; i++)
            {
                if (decoded[i].Error is { } error && badImages == BadImagePolicy.Refuse)
                {
                    var (reference, column) = firstReference[chunk[i].Path];
                    throw new DataException(
                        $"Line {reference.Line}, column '{column}': the image '{reference.Value}' cannot be used: {error} " +
                        "Replace it, or upload with badImages=missing to keep such images as missing values.");
                }

                outcomes[chunk[i].Path] = decoded[i];
            }
        }

        return outcomes;
    }

    private static ImageSummary Summarize(
        List<ImageReference> references, Dictionary<string, ImageOutcome> outcomes, ProfileOptions options, DataSplitRandom random)
    {
        var widths = new NumericAccumulator(options, random);
        var heights = new NumericAccumulator(options, random);
        var formats = new Dictionary<string, long>(StringComparer.Ordinal);
        var failures = new List<ImageFailure>();
        long failed = 0;
        foreach (var reference in references)
        {
            var outcome = outcomes[reference.Path];
            if (outcome.Info is { } info)
            {
                widths.Add(info.Width);
                heights.Add(info.Height);
                formats[info.Format] = formats.GetValueOrDefault(info.Format) + 1;
                continue;
            }

            failed++;
            if (failures.Count < MaxFailuresListed)
            {
                failures.Add(new ImageFailure(reference.Line, reference.Value, outcome.Error!));
            }
        }

        return new ImageSummary(
            widths.Count,
            [.. formats.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => new CategoryCount(pair.Key, pair.Value))],
            widths.Count > 0 ? widths.Build() : null,
            heights.Count > 0 ? heights.Build() : null,
            failed,
            failures);
    }

    /// <summary>A present value of an image column: the CSV line, the value as written, and the archive path it resolves to.</summary>
    private sealed class ImageReference(long line, string value)
    {
        public long Line { get; } = line;

        public string Value { get; } = value;

        public string Path { get; set; } = "";
    }

    private readonly record struct ImageOutcome(ImageInfo? Info, string? Error);

    private sealed class ReferenceSink(int[] columns) : ICsvRowSink
    {
        public List<ImageReference>[] References { get; } = [.. columns.Select(_ => new List<ImageReference>())];

        public void Header(string[] names)
        {
        }

        public void Row(CsvReader csv, MissingValues missingValues)
        {
            for (var k = 0; k < columns.Length; k++)
            {
                var field = csv.GetSpan(columns[k]);
                if (!missingValues.Matches(field))
                {
                    References[k].Add(new ImageReference(csv.LineNumber, Encoding.UTF8.GetString(field)));
                }
            }
        }
    }
}
