using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MlOps.Artifacts.S3;

/// <summary>
/// Objects in an S3 bucket (AWS or an S3-compatible server). Uploads read the content one part at a time (one part
/// buffer per upload, never the whole object), hash it on the way, and go up as a single PUT when the content fits
/// in one part, else as a multipart upload that is aborted when anything fails or the caller cancels. The bucket is
/// created on first use when it does not exist.
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore, IDisposable
{
    /// <summary>The user metadata entry that records an object's SHA-256 where the store knows it at write time.</summary>
    public const string Sha256Metadata = "x-amz-meta-sha256";

    private const long MaxCopyObjectSize = 5L * 1024 * 1024 * 1024;
    private const long CopyPartSize = 512L * 1024 * 1024;

    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly int _partSize;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _bucketLock = new(1, 1);
    private volatile bool _bucketReady;

    public S3ArtifactStore(S3ArtifactStoreOptions options, ILogger<S3ArtifactStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Bucket, "options.Bucket");
        if (options.PartSize < S3ArtifactStoreOptions.MinimumPartSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"PartSize must be at least {S3ArtifactStoreOptions.MinimumPartSize} bytes.");
        }

        var prefix = options.Prefix?.Trim('/') ?? "";
        if (prefix.Length > 0)
        {
            ArtifactKey.Validate(prefix, "options.Prefix");
        }

        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // We hash every object ourselves; S3-compatible servers often reject the SDK's trailing checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }

        _client = string.IsNullOrWhiteSpace(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
        // The SDK sends x-amz-copy-source with its slashes escaped (%2F), which some S3-compatible servers (s3rver)
        // do not decode; AWS accepts literal slashes too, and our keys need no other escaping.
        _client.BeforeRequestEvent += KeepSlashesInCopySource;
        _bucket = options.Bucket;
        _prefix = prefix.Length > 0 ? prefix + "/" : "";
        _partSize = options.PartSize;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string Bucket => _bucket;

    /// <summary>The client this store uses (for tests and diagnostics).</summary>
    public IAmazonS3 Client => _client;

    /// <summary>The S3 object key that holds an artifact key (the configured prefix, then the key).</summary>
    public string ObjectKey(string key) => _prefix + key;

    public async Task<ArtifactInfo> PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ArtifactKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        await EnsureBucketAsync(cancellationToken);
        var (size, sha256) = await UploadAsync(ObjectKey(key), content, cancellationToken);
        return new ArtifactInfo(key, size, sha256);
    }

    public async Task<ArtifactInfo> PutContentAddressedAsync(string prefix, Stream content, CancellationToken cancellationToken = default)
    {
        ArtifactKey.Validate(prefix, nameof(prefix));
        ArgumentNullException.ThrowIfNull(content);
        var temporaryKey = $"{prefix}/.incoming/{Guid.NewGuid():N}";
        ArtifactKey.Validate(temporaryKey, nameof(prefix));
        await EnsureBucketAsync(cancellationToken);

        var (size, sha256) = await UploadAsync(ObjectKey(temporaryKey), content, cancellationToken);
        try
        {
            var key = ArtifactKey.ContentAddressed(prefix, sha256);
            if (await HeadAsync(ObjectKey(key), cancellationToken) is null)
            {
                await CopyAsync(ObjectKey(temporaryKey), ObjectKey(key), size, sha256, cancellationToken);
            }

            return new ArtifactInfo(key, size, sha256);
        }
        finally
        {
            await TryDeleteAsync(ObjectKey(temporaryKey));
        }
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        ArtifactKey.Validate(key);
        try
        {
            var response = await _client.GetObjectAsync(_bucket, ObjectKey(key), cancellationToken);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (IsNotFound(e))
        {
            throw new ArtifactNotFoundException(key, e);
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        ArtifactKey.Validate(key);
        return await HeadAsync(ObjectKey(key), cancellationToken) is not null;
    }

    public async Task<ArtifactInfo?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        ArtifactKey.Validate(key);
        var head = await HeadAsync(ObjectKey(key), cancellationToken);
        if (head is null)
        {
            return null;
        }

        if (head.Metadata.Keys.Contains(Sha256Metadata) && head.Metadata[Sha256Metadata] is { Length: 64 } recorded)
        {
            return new ArtifactInfo(key, head.ContentLength, recorded);
        }

        // Objects uploaded in parts (or by someone else) carry no recorded hash: read it.
        try
        {
            await using var stream = await OpenReadAsync(key, cancellationToken);
            var (size, sha256) = await HashingCopy.HashAsync(stream, cancellationToken);
            return new ArtifactInfo(key, size, sha256);
        }
        catch (ArtifactNotFoundException)
        {
            return null;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ArtifactKey.Validate(key);
        try
        {
            await _client.DeleteObjectAsync(_bucket, ObjectKey(key), cancellationToken);
        }
        catch (AmazonS3Exception e) when (IsNotFound(e))
        {
            // Already absent (or the bucket is).
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _bucketLock.Dispose();
    }

    private async Task<(long Size, string Sha256)> UploadAsync(string objectKey, Stream content, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(_partSize);
        string? uploadId = null;
        try
        {
            var (count, ended) = await HashingCopy.FillAsync(content, buffer, _partSize, hash, cancellationToken);
            if (ended)
            {
                var sha256 = HashingCopy.Hex(hash);
                using var body = new MemoryStream(buffer, 0, count, writable: false);
                var request = new PutObjectRequest
                {
                    BucketName = _bucket,
                    Key = objectKey,
                    InputStream = body,
                    AutoCloseStream = false,
                    UseChunkEncoding = false,
                    ContentType = "application/octet-stream",
                };
                request.Metadata.Add(Sha256Metadata, sha256);
                await _client.PutObjectAsync(request, cancellationToken);
                return (count, sha256);
            }

            var initiated = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = objectKey,
                ContentType = "application/octet-stream",
            }, cancellationToken);
            uploadId = initiated.UploadId;

            var parts = new List<PartETag>();
            long size = 0;
            while (true)
            {
                if (count > 0)
                {
                    using var body = new MemoryStream(buffer, 0, count, writable: false);
                    var partNumber = parts.Count + 1;
                    var uploaded = await _client.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = _bucket,
                        Key = objectKey,
                        UploadId = uploadId,
                        PartNumber = partNumber,
                        InputStream = body,
                        UseChunkEncoding = false,
                    }, cancellationToken);
                    parts.Add(new PartETag(partNumber, uploaded.ETag));
                    size += count;
                }

                if (ended)
                {
                    break;
                }

                (count, ended) = await HashingCopy.FillAsync(content, buffer, _partSize, hash, cancellationToken);
            }

            cancellationToken.ThrowIfCancellationRequested();
            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = objectKey,
                UploadId = uploadId,
                PartETags = parts,
            }, cancellationToken);
            uploadId = null;
            return (size, HashingCopy.Hex(hash));
        }
        catch when (uploadId is not null)
        {
            await AbortAsync(objectKey, uploadId);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies within the bucket, recording the hash on the copy (CopyObject up to 5 GiB, copied parts above).</summary>
    private async Task CopyAsync(string sourceKey, string destinationKey, long size, string sha256, CancellationToken cancellationToken)
    {
        if (size <= MaxCopyObjectSize)
        {
            var request = new CopyObjectRequest
            {
                SourceBucket = _bucket,
                SourceKey = sourceKey,
                DestinationBucket = _bucket,
                DestinationKey = destinationKey,
                MetadataDirective = S3MetadataDirective.REPLACE,
                ContentType = "application/octet-stream",
            };
            request.Metadata.Add(Sha256Metadata, sha256);
            await _client.CopyObjectAsync(request, cancellationToken);
            return;
        }

        var initiate = new InitiateMultipartUploadRequest { BucketName = _bucket, Key = destinationKey, ContentType = "application/octet-stream" };
        initiate.Metadata.Add(Sha256Metadata, sha256);
        var uploadId = (await _client.InitiateMultipartUploadAsync(initiate, cancellationToken)).UploadId;
        try
        {
            var parts = new List<PartETag>();
            for (long first = 0; first < size; first += CopyPartSize)
            {
                var partNumber = parts.Count + 1;
                var copied = await _client.CopyPartAsync(new CopyPartRequest
                {
                    SourceBucket = _bucket,
                    SourceKey = sourceKey,
                    DestinationBucket = _bucket,
                    DestinationKey = destinationKey,
                    UploadId = uploadId,
                    PartNumber = partNumber,
                    FirstByte = first,
                    LastByte = Math.Min(first + CopyPartSize, size) - 1,
                }, cancellationToken);
                parts.Add(new PartETag(partNumber, copied.ETag));
            }

            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = destinationKey,
                UploadId = uploadId,
                PartETags = parts,
            }, cancellationToken);
        }
        catch
        {
            await AbortAsync(destinationKey, uploadId);
            throw;
        }
    }

    private async Task AbortAsync(string objectKey, string uploadId)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = objectKey,
                UploadId = uploadId,
            }, CancellationToken.None);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
        {
            _logger.LogWarning(e, "Could not abort multipart upload {UploadId} of {Bucket}/{Key}; a bucket lifecycle rule should clean it up", uploadId, _bucket, objectKey);
        }
    }

    private async Task TryDeleteAsync(string objectKey)
    {
        try
        {
            await _client.DeleteObjectAsync(_bucket, objectKey, CancellationToken.None);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
        {
            _logger.LogWarning(e, "Could not delete temporary object {Bucket}/{Key}", _bucket, objectKey);
        }
    }

    private async Task<GetObjectMetadataResponse?> HeadAsync(string objectKey, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetObjectMetadataAsync(_bucket, objectKey, cancellationToken);
        }
        catch (AmazonS3Exception e) when (IsNotFound(e))
        {
            return null;
        }
    }

    /// <summary>Creates the bucket when it does not exist, once per store; concurrent callers wait for the first.</summary>
    private async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (_bucketReady)
        {
            return;
        }

        await _bucketLock.WaitAsync(cancellationToken);
        try
        {
            if (_bucketReady)
            {
                return;
            }

            try
            {
                await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, MaxKeys = 1 }, cancellationToken);
            }
            catch (AmazonS3Exception e) when (IsNotFound(e))
            {
                try
                {
                    await _client.PutBucketAsync(new PutBucketRequest { BucketName = _bucket, UseClientRegion = true }, cancellationToken);
                    _logger.LogInformation("Created artifact bucket {Bucket}", _bucket);
                }
                catch (AmazonS3Exception c) when (c.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
                {
                    // Another process created it between our check and our request.
                }
            }

            _bucketReady = true;
        }
        finally
        {
            _bucketLock.Release();
        }
    }

    private static void KeepSlashesInCopySource(object sender, RequestEventArgs e)
    {
        if (e is WebServiceRequestEventArgs request
            && request.Headers.TryGetValue("x-amz-copy-source", out var source)
            && source.Contains("%2F", StringComparison.OrdinalIgnoreCase))
        {
            request.Headers["x-amz-copy-source"] = source.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        }
    }

    private static bool IsNotFound(AmazonS3Exception e) =>
        e.StatusCode == HttpStatusCode.NotFound || e.ErrorCode is "NoSuchKey" or "NoSuchBucket" or "NotFound";
}
