namespace MlOps.EndToEnd.Tests;

internal static class Responses
{
    /// <summary>The response, asserted successful; a failure names the request and shows the answer.</summary>
    public static async Task<HttpResponseMessage> SuccessfulAsync(Task<HttpResponseMessage> sending)
    {
        var response = await sending;
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }
}
