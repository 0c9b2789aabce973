using System.Net.Http.Json;
using System.Text.Json;
using MlOps.TestSupport;

namespace MlOps.EndToEnd.Tests;

/// <summary>Predictions through the gateway that a test goes on to monitor: answered, and then found in the inference log.</summary>
internal static class LoggedPredictions
{
    /// <summary>Sends the instances in batches of 500 and answers the prediction ids, once the inference log holds them.</summary>
    public static async Task<List<Guid>> PredictAsync<T>(HttpClient client, string model, IReadOnlyList<T> instances)
    {
        var ids = new List<Guid>(instances.Count);
        foreach (var batch in instances.Chunk(500))
        {
            using var response = await Responses.SuccessfulAsync(client.PostAsJsonAsync($"/api/predict/{model}", new { instances = batch }));
            var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
            ids.AddRange(answer.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("id").GetGuid()));
        }

        await Eventually.ReturnsAsync(
            async () => (await client.GetStringAsync($"/api/serving/inference-log?model={model}&last=1")).Contains(ids[^1].ToString(), StringComparison.Ordinal),
            logged => logged,
            TimeSpan.FromSeconds(30),
            "the newest prediction reaching the inference log");
        return ids;
    }
}
