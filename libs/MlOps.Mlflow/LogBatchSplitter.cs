using System.Text.Json;

namespace MlOps.Mlflow;

/// <summary>One runs/log-batch request's share of the entities.</summary>
internal sealed record LogBatchPart(List<MlflowMetric> Metrics, List<MlflowKeyValue> Params, List<MlflowKeyValue> Tags);

/// <summary>
/// Cuts metrics, params and tags into as few runs/log-batch requests as MLflow accepts: at most 1,000 metrics, 100
/// params, 100 tags and 1,000 entities in all, and 1 MB of JSON, each entity type keeping its order (MLflow writes a
/// type's entities in request order).
/// </summary>
internal static class LogBatchSplitter
{
    public const int MaxMetrics = 1_000;
    public const int MaxParams = 100;
    public const int MaxTags = 100;
    public const int MaxEntities = 1_000;
    public const int MaxRequestBytes = 1_048_576;

    /// <summary>Room kept for the request's envelope: the run id and the field names.</summary>
    private const int EnvelopeBytes = 256;

    /// <summary>
    /// Each request takes as many of the remaining params, then tags, then metrics as the limits leave room for, so a
    /// type short of its own limit leaves its room to the others. Nothing to log makes no request.
    /// </summary>
    public static List<LogBatchPart> Split(IReadOnlyList<MlflowMetric> metrics, IReadOnlyList<MlflowKeyValue> parameters, IReadOnlyList<MlflowKeyValue> tags)
    {
        var parts = new List<LogBatchPart>();
        int nextParam = 0, nextTag = 0, nextMetric = 0;
        while (nextParam < parameters.Count || nextTag < tags.Count || nextMetric < metrics.Count)
        {
            var part = new LogBatchPart([], [], []);
            var bytes = EnvelopeBytes;
            Fill(parameters, ref nextParam, part.Params, MaxParams, part, ref bytes);
            Fill(tags, ref nextTag, part.Tags, MaxTags, part, ref bytes);
            Fill(metrics, ref nextMetric, part.Metrics, MaxMetrics, part, ref bytes);
            parts.Add(part);
        }

        return parts;
    }

    private static void Fill<T>(IReadOnlyList<T> entities, ref int next, List<T> into, int typeLimit, LogBatchPart part, ref int bytes)
    {
        for (; next < entities.Count; next++)
        {
            var size = JsonSerializer.SerializeToUtf8Bytes(entities[next]).Length + 1;
            if (size + EnvelopeBytes > MaxRequestBytes)
            {
                throw new ArgumentException($"One entity takes {size} bytes of JSON; an MLflow batch request takes at most {MaxRequestBytes}.");
            }

            var total = part.Metrics.Count + part.Params.Count + part.Tags.Count;
            if (into.Count == typeLimit || total == MaxEntities || bytes + size > MaxRequestBytes)
            {
                return;
            }

            into.Add(entities[next]);
            bytes += size;
        }
    }
}
