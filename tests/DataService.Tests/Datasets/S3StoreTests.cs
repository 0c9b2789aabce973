using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using MlOps.TestSupport;

namespace MlOps.DataService.Tests.Datasets;

/// <summary>The same uploads with the S3 artifact store, against a real S3-compatible server (s3rver).</summary>
public sealed class S3StoreTests(PostgresFixture postgres, S3rverFixture s3) : IClassFixture<PostgresFixture>, IClassFixture<S3rverFixture>
{
    private const string Csv = "x,y\n1,2\n3,4\n";

    [Fact]
    public async Task Versions_are_kept_in_S3_read_back_from_it_and_identical_content_is_stored_once()
    {
        var bucket = "datasets-" + Guid.NewGuid().ToString("N")[..8];
        await using var host = await StartAsync(bucket);
        using var client = host.Client();

        using var first = await UploadTests.PostCsvAsync(client, "sales", Csv);
        using var again = await UploadTests.PostCsvAsync(client, "sales", Csv);
        var content = await client.GetStringAsync("/api/datasets/sales/versions/1/content");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(Csv, content);
        var keys = await KeysAsync(bucket);
        Assert.Single(keys);
        Assert.StartsWith("datasets/sales/sha256/", keys[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_file_leaves_no_object_in_the_bucket()
    {
        var bucket = "datasets-" + Guid.NewGuid().ToString("N")[..8];
        await using var host = await StartAsync(bucket);
        using var client = host.Client();

        using var response = await UploadTests.PostCsvAsync(client, "broken", "a,b\n1\n");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Line 2 has 1 field", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await KeysAsync(bucket));
        Assert.Equal(0, await host.VersionRowsAsync());
    }

    private Task<DataServiceHost> StartAsync(string bucket)
    {
        var options = s3.Options(bucket);
        return DataServiceHost.StartAsync(postgres, new Dictionary<string, string>
        {
            ["Artifacts:Store"] = "S3",
            ["Artifacts:S3:ServiceUrl"] = options.ServiceUrl!,
            ["Artifacts:S3:Bucket"] = bucket,
            ["Artifacts:S3:Region"] = options.Region!,
            ["Artifacts:S3:AccessKey"] = options.AccessKey!,
            ["Artifacts:S3:SecretKey"] = options.SecretKey!,
            ["Artifacts:S3:ForcePathStyle"] = "true",
        });
    }

    private async Task<List<string>> KeysAsync(string bucket)
    {
        using var client = new AmazonS3Client(
            new BasicAWSCredentials(S3rverFixture.Credentials, S3rverFixture.Credentials),
            new AmazonS3Config { ServiceURL = s3.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        try
        {
            var listing = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
            return (listing.S3Objects ?? []).Select(o => o.Key).ToList();
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
    }
}
