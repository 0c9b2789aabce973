using System.Buffers;
using System.IO.Pipelines;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MlOps.Contracts.Serving;

namespace MlOps.MonitoringService.Upstream;

/// <summary>Reads serving's inference-log export (NDJSON), page by page, as one stream of entries.</summary>
public sealed class InferenceLogClient(HttpClient http)
{
    /// <summary>Serving's largest page.</summary>
    public const int PageSize = 10_000;

    /// <summary>
    /// The model's predictions since <paramref name="since"/>, or its newest <paramref name="last"/>, oldest first, each
    /// as the line's JSON object (the fields of <see cref="MlOps.Contracts.Serving.InferenceLogEntry"/>). A line belongs to a document that is
    /// released when the next one is read: use it before moving on.
    /// </summary>
    public async IAsyncEnumerable<JsonElement> ReadAsync(
        string model, DateTimeOffset? since, int? last, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Serving finds where the newest `last` begin on the first page; later pages follow on from its last id, so that
        // search is not repeated (it reads `last` index entries), and reading stops after `last` predictions.
        var filter = since is { } start ? $"&since={Uri.EscapeDataString(start.ToString("O"))}" : $"&last={last}";
        var remaining = last ?? long.MaxValue;
        Guid? after = null;
        while (true)
        {
            var path = $"/api/serving/inference-log?model={Uri.EscapeDataString(model)}&limit={PageSize}"
                + (after is { } id ? $"&after={id}" + (since is null ? string.Empty : filter) : filter);
            var read = 0;
            var page = await OpenPageAsync(path, cancellationToken);
            try
            {
                while (remaining > 0 && await NextLineAsync(page, cancellationToken) is { } line)
                {
                    using var document = line;
                    read++;
                    remaining--;
                    after = document.RootElement.GetProperty("id"u8).GetGuid();
                    yield return document.RootElement;
                }
            }
            finally
            {
                await page.CompleteAsync();
            }

            if (read < PageSize || remaining == 0)
            {
                yield break;
            }
        }
    }

    /// <summary>The logged predictions among <paramref name="ids"/> (at most serving's 1,000), by id.</summary>
    public async Task<Dictionary<Guid, LoggedPrediction>> LookUpAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsJsonAsync("/api/serving/inference-log/lookup", new PredictionLookupRequest(ids), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new UpstreamUnavailableException($"Serving answered {(int)response.StatusCode} to a prediction lookup.");
            }

            var found = await response.Content.ReadFromJsonAsync<PredictionLookupResponse>(cancellationToken);
            return found!.Items.ToDictionary(item => item.Id);
        }
        catch (HttpRequestException exception)
        {
            throw new UpstreamUnavailableException($"Serving's inference log could not be read: {exception.Message}", exception);
        }
    }

    private async Task<PipeReader> OpenPageAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                response.Dispose();
                throw new UpstreamUnavailableException($"Serving answered {(int)response.StatusCode} for its inference log.");
            }

            return PipeReader.Create(await response.Content.ReadAsStreamAsync(cancellationToken));
        }
        catch (HttpRequestException exception)
        {
            throw new UpstreamUnavailableException($"Serving's inference log could not be read: {exception.Message}", exception);
        }
    }

    /// <summary>The next non-empty line parsed straight from the bytes, or null at the end of the page.</summary>
    private static async Task<JsonDocument?> NextLineAsync(PipeReader page, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var result = await page.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var newline = buffer.PositionOf((byte)'\n');
                if (newline is null && !result.IsCompleted)
                {
                    page.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                var line = newline is { } end ? buffer.Slice(0, end) : buffer;
                var consumed = newline is { } next ? buffer.GetPosition(1, next) : buffer.End;
                var document = line.IsEmpty ? null : JsonDocument.Parse(line);
                page.AdvanceTo(consumed);
                if (document is not null)
                {
                    return document;
                }

                if (newline is null)
                {
                    return null;
                }
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            throw new UpstreamUnavailableException($"Serving's inference log could not be read: {exception.Message}", exception);
        }
    }
}
