using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MlOps.TestSupport;

namespace MlOps.DataService.Tests.Datasets;

public sealed class UploadTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Csv = "x,y,city\n1,2.5,paris\n3,4.5,lyon\n5,6.5,paris\n";

    [Fact]
    public async Task An_upload_makes_version_1_identical_content_returns_it_and_new_content_makes_version_2()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();

        using var first = await PostCsvAsync(client, "sales", Csv);
        using var again = await PostCsvAsync(client, "sales", Csv);
        using var second = await PostCsvAsync(client, "sales", Csv + "7,8.5,nice\n");
        var firstBody = await first.Content.ReadFromJsonAsync<JsonElement>();
        var secondBody = await second.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("/api/datasets/sales/versions/1", first.Headers.Location!.ToString());
        Assert.Equal(1, firstBody.GetProperty("version").GetInt32());
        Assert.Equal(3, firstBody.GetProperty("rows").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Csv))), firstBody.GetProperty("sha256").GetString());
        Assert.Equal(
            ["x:numeric", "y:numeric", "city:categorical"],
            firstBody.GetProperty("columns").EnumerateArray().Select(c => $"{c.GetProperty("name").GetString()}:{c.GetProperty("type").GetString()}"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(2, secondBody.GetProperty("version").GetInt32());
        Assert.Equal(2, await host.VersionRowsAsync());
    }

    [Fact]
    public async Task A_multipart_file_part_is_accepted_and_the_content_streams_back_byte_for_byte()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();
        using var form = new MultipartFormDataContent { { new StringContent(Csv, Encoding.UTF8, "text/csv"), "file", "sales.csv" } };

        using var created = await client.PostAsync("/api/datasets/sales/versions", form);
        using var content = await client.GetAsync("/api/datasets/sales/versions/latest/content");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(Csv, await content.Content.ReadAsStringAsync());
        Assert.Equal("text/csv", content.Content.Headers.ContentType!.MediaType);
        Assert.NotNull(content.Headers.ETag);
    }

    [Fact]
    public async Task The_stored_profile_equals_numpys_computation_on_the_same_file()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "profile.csv"));
        var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "profile.json"))).RootElement;
        using (var upload = new ByteArrayContent(bytes))
        {
            upload.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            (await client.PostAsync("/api/datasets/bakery/versions", upload)).EnsureSuccessStatusCode();
        }

        var detail = await client.GetFromJsonAsync<JsonElement>("/api/datasets/bakery/versions/1");

        var profile = detail.GetProperty("profile");
        Assert.Equal(expected.GetProperty("rows").GetInt64(), profile.GetProperty("rows").GetInt64());
        var amount = profile.GetProperty("columns")[0];
        var reference = expected.GetProperty("columns")[0];
        Assert.Equal(reference.GetProperty("missing").GetInt64(), amount.GetProperty("missing").GetInt64());
        Assert.Equal(reference.GetProperty("mean").GetDouble(), amount.GetProperty("numeric").GetProperty("mean").GetDouble(), 1e-9);
        Assert.Equal(
            reference.GetProperty("quantiles")[3].GetDouble(),
            amount.GetProperty("numeric").GetProperty("quantiles").GetProperty("p50").GetDouble());
        Assert.Equal(
            reference.GetProperty("histogramCounts").EnumerateArray().Select(c => c.GetInt64()),
            amount.GetProperty("numeric").GetProperty("histogram").GetProperty("counts").EnumerateArray().Select(c => c.GetInt64()));
    }

    [Theory]
    [InlineData("", "The file is empty")]
    [InlineData("a,b\n", "has a header but no data rows")]
    [InlineData("a,b\n1,2\n3\n", "Line 3 has 1 field where the header has 2")]
    [InlineData("a,a\n1,2\n", "names column 'a' twice")]
    [InlineData("a,\n1,2\n", "Column 2 of the header (line 1) has an empty name")]
    [InlineData("a,b\n1,x\0y\n", "Line 2 contains a NUL byte")]
    public async Task An_invalid_file_is_refused_with_its_reason_and_leaves_nothing_behind(string content, string reason)
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();

        using var response = await PostCsvAsync(client, "broken", content);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // Not a file, not an empty folder.
        Assert.Empty(host.StoredEntries());
        Assert.Equal(0, await host.VersionRowsAsync());
    }

    [Theory]
    [InlineData("application/octet-stream")]
    [InlineData("application/json")]
    public async Task A_body_that_is_not_declared_as_csv_is_refused_with_415_naming_the_accepted_types(string contentType)
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes(Csv));
        body.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        using var response = await client.PostAsync("/api/datasets/sales/versions", body);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(contentType, detail, StringComparison.Ordinal);
        Assert.Contains("text/csv", detail, StringComparison.Ordinal);
        Assert.Contains("multipart/form-data", detail, StringComparison.Ordinal);
        Assert.Empty(host.StoredEntries());
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_naming_the_line()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();
        using var body = new ByteArrayContent([.. Encoding.UTF8.GetBytes("a,b\n1,2\n"), 0xff, 0xfe, (byte)',', (byte)'3', (byte)'\n']);
        body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        using var response = await client.PostAsync("/api/datasets/latin1/versions", body);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Line 3 is not valid UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413_before_it_is_read_or_as_soon_as_it_passes()
    {
        await using var host = await DataServiceHost.StartAsync(postgres, new Dictionary<string, string> { ["Datasets:MaxUploadBytes"] = "1000" });
        using var client = host.Client();
        var large = "a,b\n" + string.Concat(Enumerable.Repeat("1,2\n", 1000));

        using var declared = await PostCsvAsync(client, "big", large);
        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(large)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/datasets/big/versions") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var streamed = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Contains("limit of 1000 bytes", (await streamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(host.StoredFiles());
        Assert.Equal(0, await host.VersionRowsAsync());
    }

    [Fact]
    public async Task An_upload_aborted_half_way_leaves_no_object_and_no_row()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();
        using var content = new StreamContent(new FailingStream(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("1,2\n", 10_000)))));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        await Assert.ThrowsAnyAsync<Exception>(() => client.PostAsync("/api/datasets/aborted/versions", content));

        await Eventually.ReturnsAsync(() => Task.FromResult(host.StoredFiles().Length), count => count == 0, TimeSpan.FromSeconds(10), "the partial upload being removed");
        Assert.Equal(0, await host.VersionRowsAsync());
    }

    [Theory]
    [InlineData("Sales")]
    [InlineData("..")]
    [InlineData("-sales")]
    [InlineData("sales%2F..%2F..%2Fetc")]
    public async Task A_name_outside_the_pattern_is_refused(string name)
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();

        using var response = await PostCsvAsync(client, name, Csv);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, response.StatusCode.ToString());
        Assert.Empty(host.StoredFiles());
    }

    [Fact]
    public async Task Uploading_needs_the_train_scope_and_reading_the_read_scope()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var reader = host.Client("mlops.read");
        using var trainer = host.Client("mlops.train");

        using var upload = await PostCsvAsync(reader, "sales", Csv);
        using var list = await trainer.GetAsync("/api/datasets");

        Assert.Equal(HttpStatusCode.Forbidden, upload.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
    }

    [Fact]
    public async Task Datasets_and_versions_are_listed_a_page_at_a_time()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();
        foreach (var name in new[] { "c-set", "a-set", "b-set" })
        {
            (await PostCsvAsync(client, name, Csv)).EnsureSuccessStatusCode();
        }

        for (var i = 0; i < 3; i++)
        {
            (await PostCsvAsync(client, "a-set", Csv + $"{i},0,nice\n")).EnsureSuccessStatusCode();
        }

        var first = await client.GetFromJsonAsync<JsonElement>("/api/datasets?limit=2");
        var rest = await client.GetFromJsonAsync<JsonElement>($"/api/datasets?limit=2&cursor={first.GetProperty("nextCursor").GetString()}");
        var versions = await client.GetFromJsonAsync<JsonElement>("/api/datasets/a-set/versions?limit=3");
        using var missing = await client.GetAsync("/api/datasets/a-set/versions/9");
        using var badVersion = await client.GetAsync("/api/datasets/a-set/versions/newest");

        Assert.Equal(["a-set", "b-set"], first.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.Equal(4, first.GetProperty("items")[0].GetProperty("latestVersion").GetInt32());
        Assert.Equal(["c-set"], rest.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.Equal([1, 2, 3], versions.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        Assert.NotEqual(JsonValueKind.Null, versions.GetProperty("nextCursor").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badVersion.StatusCode);
    }

    internal static Task<HttpResponseMessage> PostCsvAsync(HttpClient client, string name, string csv)
    {
        var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        return client.PostAsync($"/api/datasets/{name}/versions", content);
    }

    /// <summary>A request body that fails half-way, as a client whose connection drops does.</summary>
    private sealed class FailingStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) =>
            Position > Length / 2 ? throw new IOException("The connection dropped.") : base.Read(buffer, offset, Math.Min(count, 1024));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return Position > Length / 2 ? throw new IOException("The connection dropped.") : await base.ReadAsync(buffer[..Math.Min(buffer.Length, 1024)], cancellationToken);
        }
    }
}
