using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace MlOps.ServingService.InferenceLog;

/// <summary>
/// The records between the prediction endpoint and the writer, bounded by <c>InferenceLog:Capacity</c> records. A
/// request's records are taken all or none, so a prediction is answered only if its log record was accepted.
/// </summary>
public sealed class InferenceLogBuffer(IOptions<InferenceLogOptions> options)
{
    private readonly Channel<InferenceRecord> _channel =
        Channel.CreateUnbounded<InferenceRecord>(new UnboundedChannelOptions { SingleReader = true });

    private long _pending;

    public long Pending => Interlocked.Read(ref _pending);

    public ChannelReader<InferenceRecord> Reader => _channel.Reader;

    public bool TryEnqueue(ReadOnlySpan<InferenceRecord> records)
    {
        if (Interlocked.Add(ref _pending, records.Length) > options.Value.Capacity)
        {
            Interlocked.Add(ref _pending, -records.Length);
            return false;
        }

        foreach (var record in records)
        {
            _channel.Writer.TryWrite(record);
        }

        return true;
    }

    /// <summary>The writer stored these records (in the database or the spill): they no longer count against the capacity.</summary>
    public void Stored(int records) => Interlocked.Add(ref _pending, -records);
}
