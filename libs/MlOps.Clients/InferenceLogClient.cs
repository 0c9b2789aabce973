using System.Buffers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MlOps.Contracts.Serving;

namespace MlOps.Clients;

/// <summary>
/// Reads serving's inference-log export (NDJSON) a page at a time, fetching the next page while the caller works on
/// the current one; and looks up logged predictions by id.
/// </summary>
public sealed class InferenceLogClient(HttpClient http)
{
    /// <summary>Serving's largest page.</summary>
    public const int PageSize = 10_000;

    /// <summary>
    /// The model's predictions since <paramref name="since"/>, or its newest <paramref name="last"/>, oldest first, as
    /// whole pages. Each page is the caller's to dispose. While the caller works on a page, the next one is already on
    /// its way: serving and its database produce it meanwhile instead of waiting.
    /// </summary>
    public async IAsyncEnumerable<InferenceLogPage> ReadPagesAsync(
        string model, DateTimeOffset? since, int? last, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Serving finds where the newest `last` begin on the first page; later pages follow on from its last id, so that
        // search is not repeated (it reads `last` index entries), and reading stops after `last` predictions.
        var filter = since is { } start ? $"&since={Uri.EscapeDataString(start.ToString("O"))}" : $"&last={last}";
        var prefix = $"/api/serving/inference-log?model={Uri.EscapeDataString(model)}&limit={PageSize}";
        var remaining = last ?? long.MaxValue;
        Task<(InferenceLogPage Page, Guid? LastId)>? next = FetchAsync(prefix + filter, remaining, cancellationToken);
        try
        {
            while (next is not null)
            {
                var (page, lastId) = await next;
                next = null;
                remaining -= page.LinesInWindow;
                if (page.Lines == PageSize && remaining > 0 && lastId is { } after)
                {
                    next = FetchAsync($"{prefix}&after={after}" + (since is null ? string.Empty : filter), remaining, cancellationToken);
                }

                yield return page;
            }
        }
        finally
        {
            if (next is not null)
            {
                // The caller stopped early: the page on its way is not needed.
                try
                {
                    (await next).Page.Dispose();
                }
                catch (Exception exception) when (exception is ServiceUnavailableException or OperationCanceledException)
                {
                    // Nothing to give back.
                }
            }
        }
    }

    private async Task<(InferenceLogPage Page, Guid? LastId)> FetchAsync(string path, long remaining, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ServiceUnavailableException($"Serving answered {(int)response.StatusCode} for its inference log.");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            var length = 0;
            try
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                }
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }

            var (lines, lastLine) = CountLines(buffer.AsSpan(0, length));
            var lastId = lines == 0 ? (Guid?)null : IdOf(buffer.AsSpan(lastLine.Start, lastLine.Length));
            return (new InferenceLogPage(buffer, length, lines, (int)Math.Min(lines, remaining)), lastId);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            throw new ServiceUnavailableException($"Serving's inference log could not be read: {exception.Message}", exception);
        }
    }

    /// <summary>How many non-empty lines, and where the last one is.</summary>
    private static (int Lines, (int Start, int Length) Last) CountLines(ReadOnlySpan<byte> ndjson)
    {
        var lines = 0;
        var last = (0, 0);
        var offset = 0;
        while (offset < ndjson.Length)
        {
            var end = ndjson[offset..].IndexOf((byte)'\n');
            var length = end < 0 ? ndjson.Length - offset : end;
            if (length > 0)
            {
                lines++;
                last = (offset, length);
            }

            offset += length + 1;
        }

        return (lines, last);
    }

    private static Guid IdOf(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                return reader.GetGuid();
            }
        }

        throw new ServiceUnavailableException("Serving's inference log has a line without an id.");
    }

    /// <summary>The logged predictions among <paramref name="ids"/> (at most serving's 1,000), by id.</summary>
    public async Task<Dictionary<Guid, LoggedPrediction>> LookUpAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsJsonAsync("/api/serving/inference-log/lookup", new PredictionLookupRequest(ids), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ServiceUnavailableException($"Serving answered {(int)response.StatusCode} to a prediction lookup.");
            }

            var found = await response.Content.ReadFromJsonAsync<PredictionLookupResponse>(cancellationToken);
            return found!.Items.ToDictionary(item => item.Id);
        }
        catch (HttpRequestException exception)
        {
            throw new ServiceUnavailableException($"Serving's inference log could not be read: {exception.Message}", exception);
        }
    }
}
