using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MlOps.TestSupport;
using SkiaSharp;

namespace MlOps.DataService.Tests.Datasets;

/// <summary>Dataset versions that are zip archives of one CSV and the images it names.</summary>
public sealed class ArchiveTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly byte[] Png = Picture(48, 32);

    [Fact]
    public async Task A_generated_catalogue_is_an_archive_version_whose_profile_describes_its_images_and_whose_content_is_the_zip()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();
        var request = new { generator = "product-catalog", rows = 80, seed = 2 };

        using var created = await client.PostAsJsonAsync("/api/datasets/catalog/versions/generate", request);
        using var again = await client.PostAsJsonAsync("/api/datasets/catalog/versions/generate", request);
        var version = await created.Content.ReadFromJsonAsync<JsonElement>();
        var detail = await client.GetFromJsonAsync<JsonElement>("/api/datasets/catalog/versions/1");
        using var content = await client.GetAsync("/api/datasets/catalog/versions/1/content");
        var zip = await content.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("zip", version.GetProperty("format").GetString());
        Assert.Equal(80, version.GetProperty("rows").GetInt64());
        Assert.Equal(
            ["title:text", "description:text", "image:image", "price:numeric", "category:categorical"],
            version.GetProperty("columns").EnumerateArray().Select(c => $"{c.GetProperty("name").GetString()}:{c.GetProperty("type").GetString()}"));
        var images = detail.GetProperty("profile").GetProperty("columns")[2].GetProperty("image");
        Assert.Equal(80, images.GetProperty("decoded").GetInt64());
        Assert.Equal("png", images.GetProperty("formats")[0].GetProperty("value").GetString());
        Assert.Equal(128, images.GetProperty("width").GetProperty("max").GetDouble());
        Assert.Equal("application/zip", content.Content.Headers.ContentType!.MediaType);
        Assert.Equal("catalog-v1.zip", content.Content.Headers.ContentDisposition!.FileName);
        Assert.Equal(version.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(zip)));
    }

    [Fact]
    public async Task An_uploaded_zip_is_a_version_as_a_body_or_a_multipart_file()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();
        var zip = Zip(("shop.csv", "name,photo,price\nmug,pics/mug.png,3\nbowl,pics/bowl.jpg,4\n"u8.ToArray()), ("pics/mug.png", Png), ("pics/bowl.jpg", Picture(20, 20, SKEncodedImageFormat.Jpeg)));

        using var body = await PostZipAsync(client, "shop", zip);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(zip), "file", "shop.zip" } };
        using var multipart = await client.PostAsync("/api/datasets/shop/versions", form);
        var version = await body.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, body.StatusCode);
        Assert.Equal(HttpStatusCode.OK, multipart.StatusCode);
        Assert.Equal("zip", version.GetProperty("format").GetString());
        Assert.Equal("image", version.GetProperty("columns")[1].GetProperty("type").GetString());
        var images = (await client.GetFromJsonAsync<JsonElement>("/api/datasets/shop/versions/latest")).GetProperty("profile").GetProperty("columns")[1].GetProperty("image");
        Assert.Equal(["jpeg", "png"], images.GetProperty("formats").EnumerateArray().Select(f => f.GetProperty("value").GetString()));
    }

    [Theory]
    [InlineData("photo\n../../etc/passwd.png\n", "Line 2, column 'photo': '../../etc/passwd.png' is a path that leaves the archive.")]
    [InlineData("photo\nok.png\nmissing.png\n", "Line 3, column 'photo': 'missing.png' names a file the archive does not hold.")]
    [InlineData("photo\nok.png\ncut.png\n", "Line 3, column 'photo': the image 'cut.png' cannot be used: The PNG image is truncated.")]
    [InlineData("photo\nnotes.png\n", "Line 2, column 'photo': the image 'notes.png' cannot be used: The bytes are not an image in a format we decode")]
    public async Task A_bad_image_reference_is_refused_naming_line_column_and_file_and_nothing_is_kept(string csv, string reason)
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();
        var zip = Zip(("data.csv", Encoding.UTF8.GetBytes(csv)), ("ok.png", Png), ("cut.png", Png[..(Png.Length / 2)]), ("notes.png", "hello"u8.ToArray()));

        using var response = await PostZipAsync(client, "photos", zip);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Invalid archive", problem.GetProperty("title").GetString());
        Assert.StartsWith(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(host.StoredEntries());
        Assert.Equal(0, await host.VersionRowsAsync());
    }

    [Fact]
    public async Task An_entry_that_leaves_the_archive_or_a_zip_without_one_csv_is_refused()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();

        using var escaping = await PostZipAsync(client, "photos", Zip(("data.csv", "photo\nok.png\n"u8.ToArray()), ("../ok.png", Png)));
        using var noCsv = await PostZipAsync(client, "photos", Zip(("ok.png", Png)));

        Assert.Contains("'../ok.png' has a path that leaves the archive", await DetailAsync(escaping), StringComparison.Ordinal);
        Assert.Contains("The archive holds no CSV file", await DetailAsync(noCsv), StringComparison.Ordinal);
        Assert.Equal(0, await host.VersionRowsAsync());
    }

    [Fact]
    public async Task With_bad_images_as_missing_the_version_is_kept_and_its_profile_names_them()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();
        var zip = Zip(("data.csv", "photo\nok.png\ncut.png\n"u8.ToArray()), ("ok.png", Png), ("cut.png", Png[..(Png.Length / 2)]));

        using var refused = await PostZipAsync(client, "photos", zip, "?badImages=ignore");
        using var kept = await PostZipAsync(client, "photos", zip, "?badImages=missing");
        var images = (await client.GetFromJsonAsync<JsonElement>("/api/datasets/photos/versions/1")).GetProperty("profile").GetProperty("columns")[0].GetProperty("image");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("'refuse'", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("badImages")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, kept.StatusCode);
        Assert.Equal(1, images.GetProperty("decoded").GetInt64());
        Assert.Equal(1, images.GetProperty("failed").GetInt64());
        var failure = images.GetProperty("failures")[0];
        Assert.Equal((3, "cut.png"), (failure.GetProperty("line").GetInt64(), failure.GetProperty("file").GetString()));
    }

    [Fact]
    public async Task The_archive_limits_are_configurable_and_named_when_broken()
    {
        await using var host = await DataServiceHost.StartAsync(postgres, new Dictionary<string, string>
        {
            ["Datasets:MaxImageBytes"] = "100",
            ["Datasets:MaxArchiveEntries"] = "3",
        });
        using var client = host.Client();

        using var bigImage = await PostZipAsync(client, "photos", Zip(("data.csv", "photo\nok.png\n"u8.ToArray()), ("ok.png", Png)));
        using var manyFiles = await PostZipAsync(client, "photos", Zip(("data.csv", "x\n1\n"u8.ToArray()), ("a", [1]), ("b", [2]), ("c", [3])));

        Assert.Contains($"The image takes {Png.Length:N0} bytes; at most 100 are accepted.", await DetailAsync(bigImage), StringComparison.Ordinal);
        Assert.Equal("The archive holds 4 entries; at most 3 are accepted.", await DetailAsync(manyFiles));
    }

    [Fact]
    public async Task Overlap_and_row_limits_of_a_generator_are_checked()
    {
        await using var host = await DataServiceHost.StartAsync(postgres);
        using var client = host.Client();

        using var noOverlap = await client.PostAsJsonAsync("/api/datasets/x/versions/generate", new { generator = "wine-price", rows = 10, overlap = 0.3 });
        using var badOverlap = await client.PostAsJsonAsync("/api/datasets/x/versions/generate", new { generator = "product-catalog", rows = 10, overlap = 2 });
        using var tooMany = await client.PostAsJsonAsync("/api/datasets/x/versions/generate", new { generator = "product-catalog", rows = 100_001 });
        using var easy = await client.PostAsJsonAsync("/api/datasets/x/versions/generate", new { generator = "product-category", rows = 10, overlap = 0 });

        Assert.Equal(
            "The 'wine-price' generator has no overlap setting; product-category and product-catalog take one.",
            (await ErrorsAsync(noOverlap)).GetProperty("overlap")[0].GetString());
        Assert.Equal("overlap is a share from 0 to 1, not 2.", (await ErrorsAsync(badOverlap)).GetProperty("overlap")[0].GetString());
        Assert.Equal("rows must be between 1 and 100000.", (await ErrorsAsync(tooMany)).GetProperty("rows")[0].GetString());
        Assert.Equal(HttpStatusCode.Created, easy.StatusCode);
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
    }

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }

    private static Task<HttpResponseMessage> PostZipAsync(HttpClient client, string name, byte[] zip, string query = "")
    {
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return client.PostAsync($"/api/datasets/{name}/versions{query}", content);
    }

    private static byte[] Zip(params (string Path, byte[] Content)[] files)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content) in files)
            {
                using var entry = zip.CreateEntry(path).Open();
                entry.Write(content);
            }
        }

        return stream.ToArray();
    }

    private static byte[] Picture(int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(SKColors.Teal);
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(format, 90);
        return encoded.ToArray();
    }
}
