using System.IO.Compression;
using MlOps.Images;

namespace MlOps.Learning.Data;

/// <summary>
/// A dataset archive: a zip holding exactly one CSV and the image files its image columns name, by paths relative to
/// the CSV. Opening it checks every entry before anything is read: the count and the uncompressed total within
/// <see cref="ArchiveLimits"/>, no path that leaves the archive (absolute, <c>..</c>, a drive), no name twice, one CSV.
/// Folders and macOS's <c>__MACOSX/</c> metadata are ignored. Reads are bounded by what each entry declares, so a file
/// that inflates past its declared size is refused. Not thread-safe: one reader at a time, as <see cref="ZipArchive"/>.
/// </summary>
public sealed class DatasetArchive : IDisposable
{
    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _files;
    private readonly ZipArchiveEntry _csv;
    private readonly string _csvFolder;
    private readonly ArchiveLimits _limits;

    /// <summary>The temporary copy of a stream that could not seek, deleted with the archive.</summary>
    private Stream? _spool;

    private DatasetArchive(ZipArchive zip, Dictionary<string, ZipArchiveEntry> files, ZipArchiveEntry csv, ArchiveLimits limits)
    {
        _zip = zip;
        _files = files;
        _csv = csv;
        _limits = limits;
        CsvPath = csv.FullName;
        var slash = CsvPath.LastIndexOf('/');
        _csvFolder = slash < 0 ? "" : CsvPath[..(slash + 1)];
    }

    /// <summary>The path of the archive's CSV inside it.</summary>
    public string CsvPath { get; }

    /// <summary>The limits the archive was opened with.</summary>
    public ArchiveLimits Limits => _limits;

    /// <summary>Whether content starting with <paramref name="head"/> is a zip archive (a local file or end-of-directory record).</summary>
    public static bool IsArchive(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));

    /// <summary>Opens and checks an archive; <paramref name="stream"/> must be seekable and stays the caller's.</summary>
    /// <exception cref="DataException">The archive is not a zip, breaks a limit or a path rule, or has no single CSV.</exception>
    public static DatasetArchive Open(Stream stream, ArchiveLimits limits)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(limits);
        ZipArchive? zip = null;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            return Check(zip, limits);
        }
        catch (InvalidDataException exception)
        {
            // The end record or the central directory (read when the entries are first listed) is damaged.
            zip?.Dispose();
            throw new DataException($"The archive is not a readable zip file: {exception.Message}", exception);
        }
        catch
        {
            zip?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens and checks an archive from any stream: a seekable one in place (it stays the caller's), another (a download,
    /// an object store's) copied first to a temporary file, which the archive deletes when disposed, since a zip's
    /// directory is at its end.
    /// </summary>
    /// <exception cref="DataException">As <see cref="Open"/>.</exception>
    public static async Task<DatasetArchive> OpenAsync(Stream stream, ArchiveLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek)
        {
            return Open(stream, limits);
        }

        var spool = new FileStream(
            Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await stream.CopyToAsync(spool, cancellationToken);
            spool.Position = 0;
            var archive = Open(spool, limits);
            archive._spool = spool;
            return archive;
        }
        catch
        {
            await spool.DisposeAsync();
            throw;
        }
    }

    /// <summary>The CSV's bytes, streamed; the caller disposes the stream.</summary>
    public Stream OpenCsv()
    {
        try
        {
            return new LimitedStream(
                _csv.Open(),
                _csv.Length,
                declared => new DataException($"The archive's CSV '{CsvPath}' inflates past the {declared:N0} bytes its entry declares."));
        }
        catch (InvalidDataException exception)
        {
            throw new DataException($"The archive's CSV '{CsvPath}' cannot be read: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// The archive path an image column's value names (relative to the CSV, <c>/</c> or <c>\</c> between folders), or
    /// why it names none: <paramref name="problem"/> says the path leaves the archive or no such file is in it.
    /// </summary>
    public bool TryResolve(string value, out string path, out string? problem)
    {
        path = "";
        var relative = value.Trim().Replace('\\', '/');
        if (relative.StartsWith('/') || LeavesArchive(_csvFolder + relative, out var normalized))
        {
            problem = "is a path that leaves the archive";
            return false;
        }

        if (!_files.ContainsKey(normalized))
        {
            problem = _csvFolder.Length == 0
                ? "names a file the archive does not hold"
                : $"names a file the archive does not hold (paths are relative to the CSV's folder, '{_csvFolder}')";
            return false;
        }

        path = normalized;
        problem = null;
        return true;
    }

    /// <summary>The bytes of an image file the archive holds (a path from <see cref="TryResolve"/>).</summary>
    /// <exception cref="ImageFormatException">The file is larger than an image may be, or than its entry declares.</exception>
    public byte[] ReadImage(string path)
    {
        var entry = _files[path];
        var limit = _limits.Images.MaxBytes;
        if (entry.Length > limit)
        {
            throw new ImageFormatException($"The image takes {entry.Length:N0} bytes; at most {limit:N0} are accepted.");
        }

        var bytes = new byte[entry.Length];
        try
        {
            using var content = entry.Open();
            content.ReadExactly(bytes);
            if (content.ReadByte() >= 0)
            {
                throw new ImageFormatException("The file inflates past the size its zip entry declares.");
            }
        }
        catch (Exception exception) when (exception is InvalidDataException or EndOfStreamException)
        {
            throw new ImageFormatException($"The file is damaged inside the archive: {exception.Message}");
        }

        return bytes;
    }

    public void Dispose()
    {
        _zip.Dispose();
        _spool?.Dispose();
    }

    private static DatasetArchive Check(ZipArchive zip, ArchiveLimits limits)
    {
        var entries = zip.Entries;
        if (entries.Count > limits.MaxEntries)
        {
            throw new DataException($"The archive holds {entries.Count:N0} entries; at most {limits.MaxEntries:N0} are accepted.");
        }

        var files = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        var csvs = new List<ZipArchiveEntry>();
        long total = 0;
        foreach (var entry in entries)
        {
            var name = entry.FullName.Replace('\\', '/');
            if (name.StartsWith('/') || LeavesArchive(name, out var normalized) || name.Contains('\0'))
            {
                throw new DataException(
                    $"The archive entry '{entry.FullName}' has a path that leaves the archive (absolute, '..' or a drive): every path must stay inside it.");
            }

            if (name.EndsWith('/') || normalized.StartsWith("__MACOSX/", StringComparison.Ordinal))
            {
                continue;
            }

            total += entry.Length;
            if (total > limits.MaxUncompressedBytes)
            {
                throw new DataException(
                    $"The archive's files take more than {limits.MaxUncompressedBytes:N0} bytes uncompressed, the most accepted.");
            }

            if (!files.TryAdd(normalized, entry))
            {
                throw new DataException($"The archive holds '{normalized}' twice.");
            }

            if (normalized.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            {
                csvs.Add(entry);
            }
        }

        return csvs.Count switch
        {
            1 => new DatasetArchive(zip, files, csvs[0], limits),
            0 => throw new DataException("The archive holds no CSV file: put one .csv file in it, naming the images beside it."),
            _ => throw new DataException(
                $"The archive holds {csvs.Count} CSV files ({string.Join(", ", csvs.Take(5).Select(c => $"'{c.FullName}'"))}); it must hold exactly one."),
        };
    }

    /// <summary>
    /// Resolves <c>.</c> and <c>..</c> in a relative <c>/</c>-separated path; true when it climbs above the archive's
    /// root or starts with a drive (<c>C:</c>).
    /// </summary>
    private static bool LeavesArchive(string path, out string normalized)
    {
        var kept = new List<string>();
        var segments = path.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (i == 0 && segment.Length >= 2 && segment[1] == ':')
            {
                normalized = "";
                return true;
            }

            if (segment == "..")
            {
                if (kept.Count == 0)
                {
                    normalized = "";
                    return true;
                }

                kept.RemoveAt(kept.Count - 1);
            }
            else if (segment is not ("." or "") || i == segments.Length - 1)
            {
                kept.Add(segment);
            }
        }

        normalized = string.Join('/', kept);
        return false;
    }
}
