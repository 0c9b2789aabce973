using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MlOps.ServiceConventions.Auth;

/// <summary>
/// This service's client-credentials token for calling other services (RFC 6749 §4.4). It posts
/// <c>grant_type=client_credentials</c> to <c>{authority}/connect/token</c>, authenticating with HTTP Basic
/// (<c>client_secret_basic</c>), and keeps the token until <see cref="ClientCredentialsOptions.RefreshMargin"/> before it
/// expires. One refresh runs at a time; callers that arrive meanwhile wait for it and share its token.
/// </summary>
public sealed partial class ServiceTokenProvider(
    IHttpClientFactory httpClientFactory,
    IOptions<ClientCredentialsOptions> options,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<ServiceTokenProvider> logger) : IDisposable
{
    /// <summary>The named HttpClient that talks to the token endpoint.</summary>
    public const string HttpClientName = "mlops-token";

    /// <summary>Used when the token service does not say how long a token lives (expires_in is only RECOMMENDED).</summary>
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private CachedToken? _current;

    /// <summary>A token valid for a while yet: the cached one, or a fresh one from the token service.</summary>
    /// <exception cref="InvalidOperationException">
    /// No credentials or token endpoint are configured, or the token service refused them (the message carries the
    /// RFC 6749 <c>error</c> and <c>error_description</c>).
    /// </exception>
    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && time.GetUtcNow() < current.RefreshAt)
        {
            return current.AccessToken;
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            // Whoever held the lock before us may have refreshed already.
            current = Volatile.Read(ref _current);
            if (current is not null && time.GetUtcNow() < current.RefreshAt)
            {
                return current.AccessToken;
            }

            CachedToken fresh;
            try
            {
                fresh = await RequestAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException
                                              && current is not null && time.GetUtcNow() < current.ExpiresAt)
            {
                // Inside the refresh margin the old token still works: use it and try again on the next call.
                LogRefreshFailed(logger, exception);
                return current.AccessToken;
            }

            Volatile.Write(ref _current, fresh);
            return fresh.AccessToken;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>
    /// Forgets <paramref name="accessToken"/> (a callee refused it), so the next call fetches a new one. A token
    /// already replaced by another caller's refresh is left alone, so many refusals cost one refresh.
    /// </summary>
    public void Invalidate(string accessToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && current.AccessToken == accessToken)
        {
            Interlocked.CompareExchange(ref _current, null, current);
        }
    }

    public void Dispose() => _refresh.Dispose();

    private async Task<CachedToken> RequestAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.ClientId) || string.IsNullOrEmpty(settings.ClientSecret))
        {
            throw new InvalidOperationException(
                "No client credentials are configured for calls to other services: set Auth__Client__ClientId and " +
                "Auth__Client__ClientSecret (a client registered with the auth service).");
        }

        var endpoint = ResolveTokenEndpoint(settings);
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (!string.IsNullOrWhiteSpace(settings.Scope))
        {
            form.Add(new("scope", settings.Scope.Trim()));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(form) };
        // RFC 6749 §2.3.1: the id and the secret are form-urlencoded before they become the Basic user and password.
        var basic = FormEncode(settings.ClientId) + ":" + FormEncode(settings.ClientSecret);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var sentAt = time.GetUtcNow();
        using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var answer = TokenAnswer.Parse(body);

        if (!response.IsSuccessStatusCode || answer.Error is not null)
        {
            var reason = answer.Error is null
                ? $"it answered {(int)response.StatusCode} {response.ReasonPhrase}"
                : answer.Description is null ? answer.Error : $"{answer.Error}: {answer.Description}";
            throw new InvalidOperationException(
                $"The token service at {endpoint} refused client '{settings.ClientId}' ({Redact(reason, settings.ClientSecret)}).");
        }

        if (string.IsNullOrEmpty(answer.AccessToken) || !string.Equals(answer.TokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"The token service at {endpoint} answered without a bearer access_token (token_type '{answer.TokenType}').");
        }

        var lifetime = answer.ExpiresIn is > 0 ? TimeSpan.FromSeconds(answer.ExpiresIn.Value) : DefaultLifetime;
        var margin = TimeSpan.FromTicks(Math.Min(settings.RefreshMargin.Ticks, lifetime.Ticks / 2));
        LogFetched(logger, settings.ClientId, answer.Scope ?? settings.Scope, (int)lifetime.TotalSeconds);
        return new CachedToken(answer.AccessToken, sentAt + lifetime - margin, sentAt + lifetime);
    }

    private Uri ResolveTokenEndpoint(ClientCredentialsOptions settings)
    {
        var endpoint = settings.TokenEndpoint;
        if (endpoint is null)
        {
            var authority = configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.Authority)}"];
            if (string.IsNullOrWhiteSpace(authority) || !Uri.TryCreate(authority.TrimEnd('/') + "/connect/token", UriKind.Absolute, out endpoint))
            {
                throw new InvalidOperationException(
                    "No token service is configured for calls to other services: set Auth__Authority to the auth " +
                    "service's base URL (the AppHost does this for every service).");
            }
        }

        // The same rule as token validation: plain HTTP only to a loopback address unless explicitly allowed, since the
        // client secret travels in this request.
        var allowHttp = bool.TryParse(configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.RequireHttpsMetadata)}"], out var requireHttps)
            ? !requireHttps
            : endpoint.IsLoopback;
        if (endpoint.Scheme != Uri.UriSchemeHttps && !allowHttp)
        {
            throw new InvalidOperationException(
                $"The token endpoint {endpoint} is not HTTPS and not on this machine; the client secret is not sent there " +
                "unless Auth__RequireHttpsMetadata is false.");
        }

        return endpoint;
    }

    private static string FormEncode(string value) => WebUtility.UrlEncode(value);

    private static string Redact(string text, string secret) =>
        secret.Length == 0 ? text : text.Replace(secret, "***", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched a service token for client {ClientId} (scope {Scope}, valid {Seconds}s)")]
    private static partial void LogFetched(ILogger logger, string clientId, string scope, int seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the service token failed; the current one is used until it expires")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    private sealed record CachedToken(string AccessToken, DateTimeOffset RefreshAt, DateTimeOffset ExpiresAt);

    private sealed record TokenAnswer(
        string? AccessToken, string? TokenType, long? ExpiresIn, string? Scope, string? Error, string? Description)
    {
        public static TokenAnswer Parse(string body)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return Empty;
                }

                return new TokenAnswer(
                    Text(root, "access_token"), Text(root, "token_type"), Seconds(root, "expires_in"), Text(root, "scope"),
                    Text(root, "error"), Text(root, "error_description"));
            }
            catch (JsonException)
            {
                return Empty;
            }
        }

        private static readonly TokenAnswer Empty = new(null, null, null, null, null, null);

        private static string? Text(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static long? Seconds(JsonElement root, string name) =>
            !root.TryGetProperty(name, out var value) ? null
            : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number
            : value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), out var parsed) ? parsed
            : null;
    }
}
