using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.TestSupport;

namespace MlOps.DataService.Tests.Datasets;

public sealed class GenerateTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_generator_makes_a_profiled_version_and_the_same_seed_gives_the_same_version()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();

        using var first = await client.PostAsJsonAsync("/api/datasets/carts/versions/generate", new { generator = "cart-abandonment", rows = 2000, seed = 3 });
        using var again = await client.PostAsJsonAsync("/api/datasets/carts/versions/generate", new { generator = "cart-abandonment", rows = 2000, seed = 3 });
        using var other = await client.PostAsJsonAsync("/api/datasets/carts/versions/generate", new { generator = "cart-abandonment", rows = 2000, seed = 4 });
        var body = await first.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(2000, body.GetProperty("rows").GetInt64());
        Assert.Equal("generator:cart-abandonment:seed=3", body.GetProperty("source").GetString());
        Assert.Contains(body.GetProperty("columns").EnumerateArray(), c => c.GetProperty("name").GetString() == "abandoned");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(body.GetProperty("sha256").GetString(), (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sha256").GetString());
        Assert.Equal(2, (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Drift_shifts_the_named_feature_in_the_stored_profile()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();

        (await client.PostAsJsonAsync("/api/datasets/carts/versions/generate", new { generator = "cart-abandonment", rows = 5000, seed = 1 })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/api/datasets/carts/versions/generate", new
        {
            generator = "cart-abandonment", rows = 5000, seed = 1,
            drift = new Dictionary<string, object> { ["cart_value"] = new { meanShift = 2.0 } },
        })).EnsureSuccessStatusCode();
        var baseline = await MeanAsync(client, 1, "cart_value");
        var drifted = await MeanAsync(client, 2, "cart_value");

        Assert.True(drifted > baseline * 1.2, $"mean {baseline} → {drifted}");
    }

    [Fact]
    public async Task Bad_generation_requests_are_refused_with_what_is_wrong()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();

        using var unknown = await client.PostAsJsonAsync("/api/datasets/x/versions/generate", new { generator = "stock-prices", rows = 10 });
        using var tooMany = await client.PostAsJsonAsync("/api/datasets/x/versions/generate", new { generator = "wine-price", rows = 50_000_000 });
        using var badDrift = await client.PostAsJsonAsync("/api/datasets/x/versions/generate", new
        {
            generator = "wine-price", rows = 10, drift = new Dictionary<string, object> { ["colour"] = new { scale = 2.0 } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("cart-abandonment", (await unknown.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("rows", (await tooMany.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badDrift.StatusCode);
        Assert.Contains("colour", (await badDrift.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Empty(host.StoredFiles());
        Assert.Equal(0, await host.VersionRowsAsync());
    }

    private static async Task<double> MeanAsync(HttpClient client, int version, string column)
    {
        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/datasets/carts/versions/{version}");
        return detail.GetProperty("profile").GetProperty("columns").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == column)
            .GetProperty("numeric").GetProperty("mean").GetDouble();
    }
}
