using System.Runtime.CompilerServices;
using System.Text.Json;
using MlOps.Contracts.Serving;

namespace MlOps.MonitoringService.Upstream;

/// <summary>Reads serving's inference-log export (NDJSON), page by page, as one stream of entries.</summary>
public sealed class InferenceLogClient(HttpClient http)
{
    /// <summary>Serving's largest page.</summary>
    public const int PageSize = 10_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The model's predictions since <paramref name="since"/>, or its newest <paramref name="last"/>, oldest first.</summary>
    public async IAsyncEnumerable<InferenceLogEntry> ReadAsync(
        string model, DateTimeOffset? since, int? last, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = since is { } start ? $"&since={Uri.EscapeDataString(start.ToString("O"))}" : $"&last={last}";
        Guid? after = null;
        while (true)
        {
            var path = $"/api/serving/inference-log?model={Uri.EscapeDataString(model)}{filter}&limit={PageSize}"
                + (after is { } id ? $"&after={id}" : string.Empty);
            var page = await ReadPageAsync(path, cancellationToken);
            foreach (var entry in page)
            {
                yield return entry;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1].Id;
        }
    }

    private async Task<List<InferenceLogEntry>> ReadPageAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new UpstreamUnavailableException($"Serving answered {(int)response.StatusCode} for its inference log.");
            }

            var entries = new List<InferenceLogEntry>();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length > 0)
                {
                    entries.Add(JsonSerializer.Deserialize<InferenceLogEntry>(line, Json)!);
                }
            }

            return entries;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            throw new UpstreamUnavailableException($"Serving's inference log could not be read: {exception.Message}", exception);
        }
    }
}
