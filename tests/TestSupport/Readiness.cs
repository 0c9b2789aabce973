namespace MlOps.TestSupport;

public static class Readiness
{
    /// <summary>
    /// Waits (up to a minute) until <c>GET /health</c> answers 2xx; <paramref name="check"/> runs before each probe and
    /// may throw to stop waiting early (a process that exited).
    /// </summary>
    public static Task WaitAsync(HttpClient client, string what, Action? check = null) =>
        Eventually.ReturnsAsync(
            async () =>
            {
                check?.Invoke();
                try
                {
                    using var response = await client.GetAsync("/health");
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            ready => ready,
            TimeSpan.FromSeconds(60),
            what + " becoming ready");
}
