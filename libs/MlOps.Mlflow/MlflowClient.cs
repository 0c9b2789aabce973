using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Mlflow;

/// <summary>
/// MLflow's REST API (<c>/api/2.0/mlflow/...</c> and the artifact proxy <c>/api/2.0/mlflow-artifacts/...</c>) over an
/// <see cref="HttpClient"/> whose base address is the tracking server. An error answer becomes an
/// <see cref="MlflowException"/> with MLflow's code; creating what already exists (an experiment, a registered model)
/// is not an error for the idempotent methods. Thread-safe.
/// </summary>
public sealed class MlflowClient(HttpClient http, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The experiment of this name, or null when there is none.</summary>
    public async Task<MlflowExperiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await SendAsync(HttpMethod.Get, $"api/2.0/mlflow/experiments/get-by-name?experiment_name={Uri.EscapeDataString(name)}", null, cancellationToken);
            return answer.GetProperty("experiment").Deserialize<MlflowExperiment>(Json);
        }
        catch (MlflowException exception) when (exception.ErrorCode == MlflowException.ResourceDoesNotExist)
        {
            return null;
        }
    }

    /// <summary>The id of the experiment of this name, created when missing (another client creating it meanwhile is fine).</summary>
    public async Task<string> GetOrCreateExperimentAsync(string name, CancellationToken cancellationToken)
    {
        if (await GetExperimentByNameAsync(name, cancellationToken) is { } existing)
        {
            return existing.ExperimentId;
        }

        try
        {
            var created = await SendAsync(HttpMethod.Post, "api/2.0/mlflow/experiments/create", new { name }, cancellationToken);
            return created.GetProperty("experiment_id").GetString()!;
        }
        catch (MlflowException exception) when (exception.ErrorCode == MlflowException.ResourceAlreadyExists)
        {
            return (await GetExperimentByNameAsync(name, cancellationToken))?.ExperimentId
                ?? throw new InvalidOperationException($"MLflow says experiment '{name}' exists but does not find it.", exception);
        }
    }

    public async Task<MlflowRunInfo> CreateRunAsync(
        string experimentId, string runName, DateTimeOffset startTime, IReadOnlyList<MlflowKeyValue> tags, CancellationToken cancellationToken)
    {
        var created = await SendAsync(
            HttpMethod.Post,
            "api/2.0/mlflow/runs/create",
            new { experiment_id = experimentId, run_name = runName, start_time = startTime.ToUnixTimeMilliseconds(), tags },
            cancellationToken);
        return created.GetProperty("run").GetProperty("info").Deserialize<MlflowRunInfo>(Json)!;
    }

    public async Task<MlflowRunInfo> UpdateRunAsync(string runId, MlflowRunStatus status, DateTimeOffset? endTime, CancellationToken cancellationToken)
    {
        var updated = await SendAsync(
            HttpMethod.Post,
            "api/2.0/mlflow/runs/update",
            new { run_id = runId, status = StatusName(status), end_time = endTime?.ToUnixTimeMilliseconds() },
            cancellationToken);
        return updated.GetProperty("run_info").Deserialize<MlflowRunInfo>(Json)!;
    }

    /// <summary>Logs metrics, params and tags in as few runs/log-batch requests as MLflow's limits allow; answers how many.</summary>
    public async Task<int> LogBatchAsync(
        string runId,
        IReadOnlyList<MlflowMetric> metrics,
        IReadOnlyList<MlflowKeyValue> parameters,
        IReadOnlyList<MlflowKeyValue> tags,
        CancellationToken cancellationToken)
    {
        var parts = LogBatchSplitter.Split(metrics, parameters, tags);
        foreach (var part in parts)
        {
            await SendAsync(
                HttpMethod.Post,
                "api/2.0/mlflow/runs/log-batch",
                new { run_id = runId, metrics = part.Metrics, @params = part.Params, tags = part.Tags },
                cancellationToken);
        }

        return parts.Count;
    }

    /// <summary>The run with its params and tags, or null when MLflow has no such run.</summary>
    public async Task<MlflowRun?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        try
        {
            var found = await SendAsync(HttpMethod.Get, $"api/2.0/mlflow/runs/get?run_id={Uri.EscapeDataString(runId)}", null, cancellationToken);
            var run = found.GetProperty("run");
            var data = run.TryGetProperty("data", out var value) ? value : default;
            return new MlflowRun(run.GetProperty("info").Deserialize<MlflowRunInfo>(Json)!, KeyValues(data, "params"), KeyValues(data, "tags"));
        }
        catch (MlflowException exception) when (exception.ErrorCode == MlflowException.ResourceDoesNotExist)
        {
            return null;
        }
    }

    /// <summary>
    /// Downloads a file through the artifact proxy (<c>GET /api/2.0/mlflow-artifacts/artifacts/&lt;path&gt;</c>), refusing
    /// one longer than <paramref name="maxBytes"/> (error code <see cref="MlflowException.ArtifactTooLarge"/>) without
    /// reading past the limit.
    /// </summary>
    public async Task<byte[]> DownloadArtifactAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(ArtifactUrl(path), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await ThrowIfErrorAsync(response, cancellationToken);
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw TooLarge(path, maxBytes);
        }

        await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(path, maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The path below the artifact proxy of an <c>mlflow-artifacts:</c> URI (<c>mlflow-artifacts:/1/abc/artifacts</c> or
    /// <c>mlflow-artifacts://host:5000/1/abc/artifacts</c>), or null for a location the proxy does not serve (s3://, a file path).
    /// </summary>
    public static string? ProxyPath(string uri)
    {
        const string scheme = "mlflow-artifacts:";
        if (!uri.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var rest = uri[scheme.Length..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? string.Empty : rest[slash..];
        }

        return rest.Trim('/');
    }

    /// <summary>Uploads a file through the tracking server's artifact proxy to <paramref name="path"/> (below the artifact root).</summary>
    public async Task UploadArtifactAsync(string path, Stream content, string contentType, CancellationToken cancellationToken)
    {
        using var body = new StreamContent(content);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Put, ArtifactUrl(path)) { Content = body };
        using var response = await http.SendAsync(request, cancellationToken);
        await ThrowIfErrorAsync(response, cancellationToken);
    }

    /// <summary>Creates the registered model unless it exists.</summary>
    public async Task EnsureRegisteredModelAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(HttpMethod.Post, "api/2.0/mlflow/registered-models/create", new { name }, cancellationToken);
        }
        catch (MlflowException exception) when (exception.ErrorCode == MlflowException.ResourceAlreadyExists)
        {
        }
    }

    /// <param name="source">Where the version's files are: <c>runs:/&lt;run_id&gt;/model</c> or an <c>mlflow-artifacts:</c> URI.</param>
    public async Task<MlflowModelVersion> CreateModelVersionAsync(string name, string source, string? runId, CancellationToken cancellationToken)
    {
        var created = await SendAsync(HttpMethod.Post, "api/2.0/mlflow/model-versions/create", new { name, source, run_id = runId }, cancellationToken);
        return created.GetProperty("model_version").Deserialize<MlflowModelVersion>(Json)!;
    }

    public async Task<MlflowModelVersion> GetModelVersionAsync(string name, string version, CancellationToken cancellationToken)
    {
        var found = await SendAsync(
            HttpMethod.Get, $"api/2.0/mlflow/model-versions/get?name={Uri.EscapeDataString(name)}&version={Uri.EscapeDataString(version)}", null, cancellationToken);
        return found.GetProperty("model_version").Deserialize<MlflowModelVersion>(Json)!;
    }

    /// <summary>
    /// Polls a new version every <paramref name="interval"/> until MLflow has it <c>READY</c>; a
    /// <c>FAILED_REGISTRATION</c> or a wait past <paramref name="timeout"/> is an error.
    /// </summary>
    public async Task<MlflowModelVersion> WaitUntilReadyAsync(string name, string version, TimeSpan interval, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var current = await GetModelVersionAsync(name, version, cancellationToken);
            switch (current.Status)
            {
                case "READY":
                    return current;
                case "FAILED_REGISTRATION":
                    throw new MlflowException("FAILED_REGISTRATION", $"MLflow failed to register version {version} of '{name}'.", 200);
            }

            if (time.GetElapsedTime(started) >= timeout)
            {
                throw new TimeoutException($"Version {version} of '{name}' was still {current.Status} after {timeout}.");
            }

            await Task.Delay(interval, time, cancellationToken);
        }
    }

    public async Task SetAliasAsync(string name, string alias, string version, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Post, "api/2.0/mlflow/registered-models/alias", new { name, alias, version }, cancellationToken);

    public async Task DeleteAliasAsync(string name, string alias, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Delete, "api/2.0/mlflow/registered-models/alias", new { name, alias }, cancellationToken);

    /// <summary>
    /// The version an alias points at, or null when the alias is not set (MLflow answers RESOURCE_DOES_NOT_EXIST, or in
    /// 2.x INVALID_PARAMETER_VALUE "Registered model alias … not found.").
    /// </summary>
    public async Task<MlflowModelVersion?> GetModelVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        try
        {
            var found = await SendAsync(
                HttpMethod.Get, $"api/2.0/mlflow/registered-models/alias?name={Uri.EscapeDataString(name)}&alias={Uri.EscapeDataString(alias)}", null, cancellationToken);
            return found.GetProperty("model_version").Deserialize<MlflowModelVersion>(Json);
        }
        catch (MlflowException exception) when (exception.ErrorCode == MlflowException.ResourceDoesNotExist
            || (exception.ErrorCode == MlflowException.InvalidParameterValue && exception.MlflowMessage.Contains("not found", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }
    }

    private static string ArtifactUrl(string path) =>
        "api/2.0/mlflow-artifacts/artifacts/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));

    private static MlflowException TooLarge(string path, long maxBytes) =>
        new(MlflowException.ArtifactTooLarge, $"Artifact '{path}' is larger than {maxBytes} bytes.", 413);

    private static Dictionary<string, string> KeyValues(JsonElement data, string field)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty(field, out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                values[item.GetProperty("key").GetString()!] = item.TryGetProperty("value", out var value) ? value.GetString() ?? string.Empty : string.Empty;
            }
        }

        return values;
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        await ThrowIfErrorAsync(response, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return string.IsNullOrWhiteSpace(text) ? JsonDocument.Parse("{}").RootElement.Clone() : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task ThrowIfErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string code = "HTTP_" + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), message = text;
        try
        {
            using var error = JsonDocument.Parse(text);
            if (error.RootElement.TryGetProperty("error_code", out var errorCode))
            {
                code = errorCode.GetString() ?? code;
                message = error.RootElement.TryGetProperty("message", out var errorMessage) ? errorMessage.GetString() ?? text : text;
            }
        }
        catch (JsonException)
        {
            // Not MLflow's JSON (a proxy's page, say): the status and the text say what happened.
        }

        throw new MlflowException(code, message, (int)response.StatusCode);
    }

    private static string StatusName(MlflowRunStatus status) => status.ToString().ToUpperInvariant();
}
