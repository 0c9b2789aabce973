using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MlOps.ServingService.Predictions;

namespace MlOps.ServingService.InferenceLog;

/// <summary>
/// Where inference-log records wait while the database is unavailable: append-only NDJSON segment files in
/// <c>InferenceLog:SpillDirectory</c>, each batch flushed to disk before it counts as stored. Replay reads the segments
/// oldest first and deletes a segment only once all of it is in the database; a replay cut short starts that segment
/// again, which the table's idempotent writes make harmless. Used by the writer only (one thread).
/// </summary>
public sealed partial class SpillFiles : IDisposable
{
    private const long SegmentBytes = 64L << 20;

    private readonly InferenceLogOptions _options;
    private readonly ILogger<SpillFiles> _logger;
    private readonly string _directory;
    private FileStream? _appending;
    private long _bytes;
    private long _nextSegment;

    public SpillFiles(IOptions<InferenceLogOptions> options, IHostEnvironment environment, ILogger<SpillFiles> logger)
    {
        _options = options.Value;
        _logger = logger;
        _directory = Path.GetFullPath(_options.SpillDirectory, environment.ContentRootPath);
        Directory.CreateDirectory(_directory);
        foreach (var segment in Segments())
        {
            _bytes += new FileInfo(segment).Length;
            _nextSegment = Math.Max(_nextSegment, long.Parse(Path.GetFileNameWithoutExtension(segment), System.Globalization.CultureInfo.InvariantCulture) + 1);
        }
    }

    public long Bytes => _bytes;

    public bool HasRecords => _bytes > 0;

    /// <summary>Appends the batch and flushes it to disk; false, writing nothing, when it would pass <c>MaxSpillBytes</c>.</summary>
    public bool TryAppend(IReadOnlyList<InferenceRecord> records)
    {
        var buffer = new MemoryStream();
        foreach (var record in records)
        {
            JsonSerializer.Serialize(buffer, record, ServingJson.Default.InferenceRecord);
            buffer.WriteByte((byte)'\n');
        }

        if (_bytes + buffer.Length > _options.MaxSpillBytes)
        {
            return false;
        }

        try
        {
            if (_appending is null || _appending.Length >= SegmentBytes)
            {
                _appending?.Dispose();
                _appending = new FileStream(SegmentPath(_nextSegment++), FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            }

            var start = _appending.Position;
            buffer.Position = 0;
            try
            {
                buffer.CopyTo(_appending);
                _appending.Flush(flushToDisk: true);
            }
            catch (IOException)
            {
                // A partial batch must not be replayed as if it were whole: cut it off again.
                _appending.SetLength(start);
                throw;
            }
        }
        catch (IOException exception)
        {
            // A full or failing disk is a full spill: the writer holds the batch and the buffer pushes back with 503.
            LogAppendFailed(exception, _directory);
            return false;
        }

        _bytes += buffer.Length;
        return true;
    }

    /// <summary>
    /// Hands every spilled record to <paramref name="write"/> in order, in batches, deleting each segment once written.
    /// Returns the records replayed; throws what <paramref name="write"/> throws, leaving the unwritten segments.
    /// </summary>
    public async Task<int> ReplayAsync(Func<IReadOnlyList<InferenceRecord>, Task> write, Action<int> dropped)
    {
        _appending?.Dispose();
        _appending = null;
        var replayed = 0;
        foreach (var segment in Segments())
        {
            var batch = new List<InferenceRecord>(_options.BatchSize);
            using (var reader = new StreamReader(segment, Encoding.UTF8))
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (Parse(line, segment) is { } record)
                    {
                        batch.Add(record);
                    }
                    else
                    {
                        dropped(1);
                    }

                    if (batch.Count == _options.BatchSize)
                    {
                        await write(batch);
                        replayed += batch.Count;
                        batch = new List<InferenceRecord>(_options.BatchSize);
                    }
                }
            }

            if (batch.Count > 0)
            {
                await write(batch);
                replayed += batch.Count;
            }

            _bytes -= new FileInfo(segment).Length;
            File.Delete(segment);
        }

        _bytes = 0;
        return replayed;
    }

    public void Dispose() => _appending?.Dispose();

    private InferenceRecord? Parse(string line, string segment)
    {
        try
        {
            return JsonSerializer.Deserialize(line, ServingJson.Default.InferenceRecord);
        }
        catch (JsonException exception)
        {
            // Only the last line of a segment can be cut, by a crash in the middle of an append.
            LogUnreadable(exception, segment);
            return null;
        }
    }

    private string[] Segments() =>
        Directory.EnumerateFiles(_directory, "*.ndjson").Order(StringComparer.Ordinal).ToArray();

    private string SegmentPath(long number) =>
        Path.Combine(_directory, number.ToString("D12", System.Globalization.CultureInfo.InvariantCulture) + ".ndjson");

    [LoggerMessage(Level = LogLevel.Error, Message = "Appending to the spill in {Directory} failed; it counts as full until an append works.")]
    private partial void LogAppendFailed(Exception exception, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "A line of the spill segment {Segment} could not be read; its record is lost.")]
    private partial void LogUnreadable(Exception exception, string segment);
}
