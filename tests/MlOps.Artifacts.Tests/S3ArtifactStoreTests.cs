using Amazon.S3;
using Amazon.S3.Model;
using MlOps.Artifacts.S3;
using MlOps.TestSupport;

namespace MlOps.Artifacts.Tests;

/// <summary>The contract against a real S3-compatible server (s3rver), with 5 MiB parts so that multi-MB objects go up in parts.</summary>
public sealed class S3ArtifactStoreTests : ArtifactStoreContract, IClassFixture<S3rverFixture>, IDisposable
{
    private const string Prefix = "mlops";

    private readonly S3rverFixture _server;
    private readonly string _bucket = "artifacts-" + Guid.NewGuid().ToString("N");
    private readonly S3ArtifactStore _store;

    public S3ArtifactStoreTests(S3rverFixture server)
    {
        _server = server;
        _store = new S3ArtifactStore(server.Options(_bucket, Prefix));
    }

    protected override IArtifactStore Store => _store;

    public void Dispose() => _store.Dispose();

    protected override async Task<IReadOnlyList<string>> AllObjectsAsync()
    {
        ListObjectsV2Response listing;
        try
        {
            listing = await _store.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket });
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            return [];
        }

        var keys = (listing.S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
        Assert.All(keys, key => Assert.StartsWith(Prefix + "/", key, StringComparison.Ordinal));
        return keys.Select(key => key[(Prefix.Length + 1)..]).ToList();
    }

    /// <summary>
    /// s3rver 3.7.1 implements neither ListMultipartUploads nor AbortMultipartUpload (it answers NotImplemented and
    /// MethodNotAllowed). Where listing works, no upload may remain; against s3rver, its request log must show that
    /// the store started a multipart upload for the key and then sent the abort request for it.
    /// </summary>
    protected override async Task AssertNoDanglingUploadAsync(string key)
    {
        var objectKey = _store.ObjectKey(key);
        try
        {
            var uploads = await _store.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = _bucket });
            Assert.DoesNotContain(uploads.MultipartUploads ?? [], u => u.Key == objectKey);
            return;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NotImplemented")
        {
            // s3rver: fall through to its request log.
        }

        var path = $"/{_bucket}/{objectKey}";
        await _server.WaitForLogAsync(line => line.Contains($"POST {path}?uploads", StringComparison.Ordinal), 1, "a multipart upload of " + path);
        await _server.WaitForLogAsync(line => line.Contains($"DELETE {path}?uploadId=", StringComparison.Ordinal), 1, "the abort of the multipart upload of " + path);
    }

    [Fact]
    public async Task Bucket_is_created_on_first_use_once_even_by_concurrent_stores()
    {
        var bucket = "fresh-" + Guid.NewGuid().ToString("N");
        var stores = Enumerable.Range(0, 4).Select(_ => new S3ArtifactStore(_server.Options(bucket))).ToList();
        try
        {
            var before = await _store.Client.ListBucketsAsync();
            Assert.DoesNotContain(before.Buckets ?? [], b => b.BucketName == bucket);

            await Task.WhenAll(stores.Select((store, i) => store.PutAsync($"object-{i}", new GeneratedContent(1000, (ulong)i))));

            var after = await _store.Client.ListBucketsAsync();
            Assert.Single(after.Buckets ?? [], b => b.BucketName == bucket);
            foreach (var (store, i) in stores.Select((store, i) => (store, i)))
            {
                Assert.True(await store.ExistsAsync($"object-{i}"));
            }
        }
        finally
        {
            stores.ForEach(store => store.Dispose());
        }
    }

    [Fact]
    public async Task Object_above_the_part_size_goes_up_in_parts_and_round_trips()
    {
        const long length = 12L * MiB;
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(new GeneratedContent(length, seed: 30)));

        var info = await _store.PutAsync("models/big/model.bin", new GeneratedContent(length, seed: 30));

        Assert.Equal(expected, info.Sha256);
        Assert.Equal(length, info.Size);
        var path = $"/{_bucket}/{Prefix}/models/big/model.bin";
        await _server.WaitForLogAsync(line => line.Contains($"POST {path}?uploads", StringComparison.Ordinal), 1, "a multipart upload of " + path);
        await _server.WaitForLogAsync(line => line.Contains($"POST {path}?uploadId=", StringComparison.Ordinal), 1, "the completion of the multipart upload of " + path);
        Assert.Equal(3, _server.Log.Count(line => line.Contains($"PUT {path}?", StringComparison.Ordinal) && line.Contains("partNumber=", StringComparison.Ordinal)));
        var head = await _store.Client.GetObjectMetadataAsync(_bucket, $"{Prefix}/models/big/model.bin");
        Assert.Equal(length, head.ContentLength);
        await using var read = await _store.OpenReadAsync("models/big/model.bin");
        await GeneratedContent.AssertSameBytesAsync(new GeneratedContent(length, seed: 30), read);
        Assert.Equal(info, await _store.GetInfoAsync("models/big/model.bin"));
    }

    [Fact]
    public async Task Small_objects_record_their_hash_as_metadata()
    {
        var info = await _store.PutAsync("small", new GeneratedContent(4000, seed: 31));

        var head = await _store.Client.GetObjectMetadataAsync(_bucket, $"{Prefix}/small");

        Assert.Equal(info.Sha256, head.Metadata[S3ArtifactStore.Sha256Metadata]);
    }
}
