using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace MlOps.ServiceConventions.Auth;

/// <summary>
/// Sends each call with this service's client-credentials token. When the callee answers 401 (it no longer accepts the
/// token: revoked, or signed by a key it has not seen yet), the token is dropped and the call is sent once more with
/// a fresh one. A request that already carries its own <c>Authorization</c> header is passed through untouched.
/// </summary>
public sealed class ServiceTokenHandler(ServiceTokenProvider tokens) : DelegatingHandler
{
    private static readonly HttpRequestOptionsKey<bool> Ours = new("MlOps.ServiceToken");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // An outer retry sends the same message again; the header it carries then is ours, not the caller's.
        if (request.Headers.Authorization is not null && !request.Options.TryGetValue(Ours, out _))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var token = await tokens.GetTokenAsync(cancellationToken);
        Authorize(request, token);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        tokens.Invalidate(token);
        if (!CanBeSentAgain(request.Content))
        {
            return response;
        }

        response.Dispose();
        Authorize(request, await tokens.GetTokenAsync(cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }

    private static void Authorize(HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Options.Set(Ours, true);
    }

    /// <summary>Bodies held in memory serialize again; a stream that was read once cannot be sent twice.</summary>
    private static bool CanBeSentAgain(HttpContent? content) =>
        content is null or ByteArrayContent or ReadOnlyMemoryContent or JsonContent;
}
